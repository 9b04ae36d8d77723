// The hosted inquiry form (issue 23 §5) in Chromium against the real `serverless offline`, this
// file's own database and the fake Stripe and TextMagic: at 1366×900 and 390×844 it fits, has no
// serious or critical axe-core violation (the form, its errors, the thank-you page, in English and
// Spanish) and breaks no CSP rule; by keyboard alone a client fills it in, meets each error beside
// its field with the focus on the first, corrects it and sends it, and the lead is stored with the
// consent the page showed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { SESSION_COOKIE } from '../../lib/console/session';
import { seriousViolations } from '../support/accessibility';
import { signInSession } from '../support/console-session';
import { phoneNumber } from '../support/app';
import { launchBrowser, unexpected, type Problem, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { callJson, showServerOnFailure, startOffline, type Offline } from '../support/offline';

// No keys are set, so the local development ones apply (lib/config.ts), FORM_SECRET included.
const ADMIN = { authorization: 'Bearer local-admin-key' };
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const VIEWPORTS = [
  [1366, 900],
  [390, 844],
] as const;

const db = useTestDatabase();
let stripe: FakeStripe;
let textmagic: FakeTextMagic;
let offline: Offline;
let chrome: TestBrowser;

beforeAll(async () => {
  [stripe, textmagic] = await Promise.all([startFakeStripe(), startFakeTextMagic()]);
  [offline, chrome] = await Promise.all([
    startOffline({ env: { DATABASE_URL: db.url, ...fakeServicesEnv(stripe, textmagic), LOG_LEVEL: 'warn' } }),
    launchBrowser(),
  ]);
  for (const [slug, name] of [
    ['plumbing', 'Plumbing'],
    ['hvac', 'Heating & cooling'],
    ['roofing', 'Roofing'],
  ]) {
    await db.query(
      `insert into categories (slug, name, price_cents, max_unlocks, ttl_hours) values ($1, $2, 1500, 3, 72)
       on conflict (slug) do nothing`,
      [slug, name],
    );
  }
  await callJson(
    offline,
    'POST',
    '/providers',
    {
      name: 'Pat Plumber',
      phone: phoneNumber(),
      categories: ['plumbing'],
      zipCodes: ['78702'],
    },
    ADMIN,
  );
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

async function open(width: number, height: number, url: string) {
  const context = await chrome.context(width, height);
  const { page, problems } = await chrome.newPage(context);
  await page.goto(`${offline.url}${url}`);
  return { context, page, problems };
}

/** No CSP violation, no script error; answers of 400 and more are the form's own errors here. */
const expectClean = (problems: Problem[], refusals: RegExp[] = []) =>
  expect(unexpected(problems, refusals)).toEqual([]);

/** No sideways scrolling, and the button within the window. */
async function expectFits(page: Page, button: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, 'page wider than the window').toBeLessThanOrEqual(clientWidth);
  const box = await page.getByRole('button', { name: button }).boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x + box!.width).toBeLessThanOrEqual(clientWidth);
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('the form at both sizes', () => {
  for (const [width, height] of VIEWPORTS) {
    it(`${width}×${height}: fits, passes axe-core, in English and Spanish, and its errors too`, async () => {
      showServerOnFailure(offline);
      const { context, page, problems } = await open(width, height, '/request?category=hvac&zip=78701');
      await expect(page.getByLabel('Service').inputValue()).resolves.toBe('hvac');
      await expect(page.getByLabel('ZIP code').inputValue()).resolves.toBe('78701');
      await expectFits(page, 'Send request');
      expect(await seriousViolations(page)).toEqual([]);
      // The honeypot is out of sight.
      const trap = await page.locator('#f-website').boundingBox();
      expect(trap === null || trap.x + trap.width <= 0).toBe(true);
      await page.screenshot({ path: path.join(SCREENSHOTS, `request-form-${width}.png`), fullPage: true });

      // Sent empty: every required field's error, the page still accessible.
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.getByText('Some fields need your attention').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await expectFits(page, 'Send request');

      await page.goto(`${offline.url}/request?lang=es`);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
      await page.getByRole('heading', { name: 'Solicite un servicio' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await expectFits(page, 'Enviar solicitud');
      expectClean(problems, [/\/request/]);
      await context.close();
    }, 90_000);
  }
});

describe('by keyboard only', () => {
  it('fills in the form, meets its errors beside their fields, corrects them and sends it', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await open(390, 844, '/request');
    const loaded = Date.now();
    const phone = phoneNumber();
    // From the top of the page: the language link, then the fields in order, then the button;
    // never the hidden honeypot.
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(
        (await focusedId(page)) || (await page.evaluate(() => document.activeElement?.tagName ?? '')),
      );
    }
    expect(order).toEqual([
      'A',
      'f-name',
      'f-phone',
      'f-email',
      'f-category',
      'f-zipCode',
      'f-description',
      'BUTTON',
    ]);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Send request');

    // Back to the name, typing as a person would; a bad phone and e-mail.
    await page.keyboard.press('Shift+Tab');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('f-name');
    await page.keyboard.type('Kim Keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('555');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Plu');
    expect(await page.locator('#f-category').inputValue()).toBe('plumbing');
    await page.keyboard.press('Tab');
    await page.keyboard.type('78702');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Dripping tap in the bathroom.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    // The errors beside their fields, the focus on the first, what was typed kept.
    await page.getByText('Some fields need your attention').waitFor();
    expect(await focusedId(page)).toBe('f-phone');
    await expect(page.locator('#f-phone').getAttribute('aria-describedby')).resolves.toBe('f-phone-error');
    await expect(page.locator('#f-phone-error').innerText()).resolves.toContain('valid phone number');
    await expect(page.locator('#f-email-error').innerText()).resolves.toContain('valid e-mail address');
    await expect(page.locator('#f-name').inputValue()).resolves.toBe('Kim Keyboard');

    // Corrected by keyboard: the phone, then the e-mail; then to the button.
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(phone);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('kim@example.com');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Send request');
    // A person takes longer than the minimum fill time (lib/intake/form-stamp.ts) anyway.
    await page.waitForTimeout(Math.max(0, 2_200 - (Date.now() - loaded)));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.locator('main').innerText()).not.toMatch(/Kim|\d{4}/);

    // Stored through POST /leads' path, with the consent the page showed.
    const list = (await callJson(offline, 'GET', '/leads?q=Kim%20Keyboard', undefined, ADMIN)) as {
      leads: Array<{ id: string }>;
    };
    expect(list.leads).toHaveLength(1);
    const lead = (await callJson(offline, 'GET', `/leads/${list.leads[0]!.id}`, undefined, ADMIN)) as {
      consent: { text: string; pageUrl: string };
      offers: unknown[];
    };
    expect(lead).toMatchObject({ name: 'Kim Keyboard', phone, category: 'plumbing', zipCode: '78702' });
    expect(lead.consent.text).toMatch(/^By pressing Send request, I agree that Lead Unlock/);
    expect(lead.consent.pageUrl).toMatch(/\/request$/);
    expect(lead.offers).toHaveLength(1);
    expectClean(problems, [/\/request/]);
    await context.close();
  }, 90_000);
});

describe('the console: Forms', () => {
  for (const [width, height] of VIEWPORTS) {
    it(`${width}×${height}: maps a form tool, shows its URL once, which takes the tool's post; refusals counted`, async () => {
      showServerOnFailure(offline);
      const context = await chrome.context(width, height);
      await context.addCookies([
        {
          name: SESSION_COOKIE,
          value: await signInSession(offline.url, 'local-admin-key'),
          url: offline.url,
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      const { page, problems } = await chrome.newPage(context);
      await page.goto(`${offline.url}/admin/forms`);
      await page.getByRole('heading', { name: 'Web forms' }).waitFor({ timeout: 30_000 });
      await page.getByTestId('form-blocked').waitFor();
      // The keyboard test above and the error pages were refused as nothing; the counts show.
      await expect(page.getByTestId('form-blocked').innerText()).resolves.toMatch(
        /Refused as abuse in the last 30 days: \d+/,
      );
      const source = `site-${width}`;
      await page.getByLabel('Source').fill(source);
      await page.locator('input[name=name]').fill('names[first_name], names[last_name]');
      await page.getByLabel('Phone').fill('phone');
      await page.getByLabel('ZIP code').fill('zip');
      await page.getByLabel('Default service (when the post names none)').fill('plumbing');
      await page.getByRole('button', { name: 'Save and issue a new token' }).click();
      const url = (await page.getByTestId('intake-url').locator('code').innerText()).trim();
      expect(url).toMatch(new RegExp(`/intake/${source}\\?token=[A-Za-z0-9_-]{43}$`));
      // A table row at 1366 px, a card on the phone (components/data-table.tsx): the source shows in either.
      await page.getByTestId('sources').getByText(source, { exact: true }).first().waitFor();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, `console-forms-${width}.png`), fullPage: true });

      // The URL as shown takes the tool's post (with the local PUBLIC_BASE_URL's path, at this server).
      const target = new URL(url);
      const post = await fetch(`${offline.url}${target.pathname}${target.search}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          'names[first_name]': 'Tool',
          'names[last_name]': `Poster${width}`,
          phone: phoneNumber(),
          zip: '78702',
        }).toString(),
      });
      expect(post.status, await post.text()).toBe(201);
      // The console asks whether the sandbox is there; this server has none.
      expectClean(problems, [/\/sandbox\//]);
      await context.close();
    }, 90_000);
  }
});
