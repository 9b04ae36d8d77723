// The console's privacy pages (issue 22) in Chromium against the real `serverless offline`, this
// file's own database and the fake Stripe and TextMagic: the client's consent on the lead page,
// "Erase client data" (asked once, by keyboard, this lead only, then said), an erased lead showing
// nothing of the client, and the provider's consent record; and (issue 23) the Dashboard's "demand
// without supply", the leads offered to nobody by category and zip with why. At 1366×900 and
// 390×844: no sideways scrolling, every action on screen, no serious or critical axe-core violation.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctClient, lead } from '../../emulators/lead-body';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { seriousViolations } from '../support/accessibility';
import { signedInPage } from '../support/console-session';
import { phoneNumber, tmDigits } from '../support/app';
import { launchBrowser, unexpected, type Problem, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { callJson, showServerOnFailure, startOffline, type Offline } from '../support/offline';

// No keys are set, so the local development ones apply (lib/config.ts).
const ADMIN = { authorization: 'Bearer local-admin-key' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key' };
const SMS_TOKEN = 'local-sms-token';
const NO_SANDBOX = [/\/sandbox\//];
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const VIEWPORTS = [
  [1366, 900],
  [390, 844],
] as const;

const CLIENT = {
  name: 'Rosalind Erasable',
  phone: '(512) 555-0177',
  email: 'rosalind.erasable@example.com',
  city: 'Austin',
  description: 'Burst pipe under the stairs, please call after five.',
  budget: '$750',
};
const CONSENT = {
  text: 'By submitting, I agree that up to 3 local pros may contact me about my request.',
  agreedAt: '2026-11-30T15:04:05Z',
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) FormBrowser/1.0',
  pageUrl: 'https://forms.example.com/plumbing?utm_source=ad#step2',
  certificateUrl: 'https://cert.trustedform.com/0123456789abcdef',
};

const db = useTestDatabase();
useTestCatalogue(db);
let stripe: FakeStripe;
let textmagic: FakeTextMagic;
let offline: Offline;
let chrome: TestBrowser;
/** Leads: with consent (to erase), the same client's other lead, one without consent, one erased. */
const ids = { consented: '', sameClient: '', noConsent: '', erased: '', unserved: '' };
/** A zip code no provider serves: its lead is offered to nobody (`no_provider`). */
const UNSERVED_ZIP = '78799';
/** Providers: added through the API, and one who opted out in their own words then came back. */
const providers = { api: '', returned: '' };

async function call(method: string, route: string, json?: unknown, headers: Record<string, string> = ADMIN) {
  return callJson(offline, method, route, json, headers);
}

/** A provider's SMS as TextMagic posts it to the inbound route. */
async function reply(phone: string, text: string) {
  const res = await fetch(`${offline.url}/sms/inbound?token=${SMS_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      id: String(Date.now()) + String(Math.random()).slice(2, 8),
      sender: tmDigits(phone),
      receiver: '15125550000',
      messageTime: new Date().toISOString(),
      text,
    }).toString(),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

beforeAll(async () => {
  [stripe, textmagic] = await Promise.all([startFakeStripe(), startFakeTextMagic()]);
  [offline, chrome] = await Promise.all([
    startOffline({ env: { DATABASE_URL: db.url, ...fakeServicesEnv(stripe, textmagic), LOG_LEVEL: 'warn' } }),
    launchBrowser(),
  ]);
  const add = async (name: string) =>
    (
      await call('POST', '/providers', {
        name,
        phone: phoneNumber(),
        categories: ['plumbing'],
        zipCodes: ['78701'],
      })
    ).id as string;
  providers.api = await add('Pat Plumber');
  const returnedPhone = phoneNumber();
  providers.returned = (
    await call('POST', '/providers', {
      name: 'Quinn Returned',
      phone: returnedPhone,
      categories: ['roofing'],
      zipCodes: ['78701'],
    })
  ).id as string;
  await reply(returnedPhone, 'Please stop texting me');
  await reply(returnedPhone, 'START');

  const post = async (body: Record<string, unknown>) =>
    (await call('POST', '/leads', lead({ category: 'plumbing', zipCode: '78701', ...body }), LEAD_KEY))
      .id as string;
  ids.consented = await post({ ...CLIENT, consent: CONSENT });
  ids.sameClient = await post({ ...CLIENT, description: 'A second job: the outside tap drips.' });
  ids.noConsent = await post({});
  ids.erased = await post({ ...CLIENT, name: 'Already Gone', consent: CONSENT });
  expect(await call('POST', '/privacy/erasures', { leadId: ids.erased })).toEqual({ erasedLeads: 1 });
  ids.unserved = await post({ ...distinctClient(), zipCode: UNSERVED_ZIP });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

/** A signed-in page at `width`×`height`, and what goes wrong on it. */
const signedIn = (width = 1366, height = 900) => signedInPage(chrome, offline.url, width, height);

function expectClean(problems: Problem[]) {
  expect(unexpected(problems, NO_SANDBOX)).toEqual([]);
}

/** The page is no wider than the window, and each of `buttons` lies inside it. */
async function expectFits(page: Page, buttons: string[]) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, 'page wider than the window').toBeLessThanOrEqual(clientWidth);
  for (const name of buttons) {
    const box = await page.getByRole('button', { name, exact: true }).boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.x, name).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, name).toBeLessThanOrEqual(clientWidth);
  }
}

/** Tabs from where the focus is until `name` has it (as a keyboard user would get there). */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === name) return;
  }
  throw new Error(`no Tab reaches "${name}"`);
}

const mainText = (page: Page) => page.locator('main').innerText();

describe('lead page: the client’s consent', () => {
  it('shows the wording, when, IP, browser, page and a certificate link', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedIn();
    await page.goto(`${offline.url}/admin/leads/${ids.consented}`);
    const consent = page.getByTestId('lead-consent');
    await consent.waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('lead-consent-text').textContent()).resolves.toBe(CONSENT.text);
    const text = await consent.innerText();
    for (const shown of [CONSENT.ip, CONSENT.userAgent, CONSENT.pageUrl, 'Nov 30, 2026'])
      expect(text).toContain(shown);
    const certificate = consent.getByRole('link', { name: CONSENT.certificateUrl });
    await expect(certificate.getAttribute('href')).resolves.toBe(CONSENT.certificateUrl);
    await expect(certificate.getAttribute('rel')).resolves.toContain('noreferrer');
    await page.waitForLoadState('networkidle');
    expectClean(problems);
    await context.close();
  });

  it('says "no consent recorded" for a lead sent without it', async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${offline.url}/admin/leads/${ids.noConsent}`);
    const consent = page.getByTestId('lead-consent');
    await consent.waitFor({ timeout: 30_000 });
    await expect(consent.innerText()).resolves.toMatch(/^No consent recorded/);
    await page.waitForLoadState('networkidle');
    expectClean(problems);
    await context.close();
  });
});

describe('lead page: erasing the client’s data', () => {
  it('Escape takes back the question, focus returns to the button, and nothing is erased', async () => {
    const { context, page, problems } = await signedIn(390, 844);
    await page.goto(`${offline.url}/admin/leads/${ids.consented}`);
    await page.getByTestId('lead-name').waitFor({ timeout: 30_000 });
    await tabTo(page, 'Erase client data…');
    await page.keyboard.press('Enter');
    await page.getByTestId('erase-confirm').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('erase-confirm').waitFor({ state: 'detached' });
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
      'Erase client data…',
    );
    expect((await call('GET', `/leads/${ids.consented}`)).erasedAt).toBe(null);
    await expect(page.getByTestId('lead-name').textContent()).resolves.toBe(CLIENT.name);
    expectClean(problems);
    await context.close();
  });

  it('by keyboard: asks once saying it is this lead only, erases, says "Erased: 1 lead", shows none of the client', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedIn(390, 844);
    const erasures: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/privacy/erasures')) erasures.push(`${r.method()} ${r.postData() ?? ''}`);
    });
    await page.goto(`${offline.url}/admin/leads/${ids.consented}`);
    await page.getByTestId('lead-name').waitFor({ timeout: 30_000 });
    await tabTo(page, 'Erase client data…');
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('erase-confirm');
    await confirm.waitFor();
    // The question has the focus, says what goes and that it is this lead only; nothing sent yet.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe(
      'erase-confirm',
    );
    const question = await confirm.innerText();
    expect(question).toMatch(/name, phone, e-mail/);
    expect(question).toMatch(/This lead only: other leads of the same client keep their data/);
    expect(erasures).toEqual([]);
    await expectFits(page, ['Erase for good', 'Cancel']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'privacy-erase-confirm-390.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Erase for good');
    await page.keyboard.press('Enter');

    const notice = page.getByTestId('notice');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toBe('Erased: 1 lead');
    await page.getByTestId('lead-erased').waitFor();
    // What happened has the focus; the button is gone; one request, by this lead's id.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe(
      'notice',
    );
    await expect(page.getByRole('button', { name: /Erase/ }).count()).resolves.toBe(0);
    expect(erasures).toEqual([`POST ${JSON.stringify({ leadId: ids.consented })}`]);
    const text = await mainText(page);
    expect(text).toMatch(/Client data erased at \w{3} \d+, \d{4}/);
    for (const gone of [...Object.values(CLIENT), CONSENT.ip, CONSENT.userAgent, 'utm_source', 'null'])
      expect(text).not.toContain(gone);
    // The consent wording stays, as the law wants it kept.
    expect(text).toContain(CONSENT.text);

    // This lead only: the same client's other lead still shows them.
    await page.goto(`${offline.url}/admin/leads/${ids.sameClient}`);
    await expect(page.getByTestId('lead-name').textContent()).resolves.toBe(CLIENT.name);
    await page.waitForLoadState('networkidle');
    expectClean(problems);
    await context.close();
  }, 60_000);
});

describe('provider page: their consent record', () => {
  it('shows when and how they opted in, and their opt-out in their own words', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedIn();
    await page.goto(`${offline.url}/admin/providers/${providers.api}`);
    const optedIn = page.getByTestId('provider-opted-in');
    await optedIn.waitFor({ timeout: 30_000 });
    await expect(optedIn.innerText()).resolves.toMatch(/^\w{3} \d+, \d{4}.*, added through the API$/);
    await expect(page.getByTestId('provider-opted-out').innerText()).resolves.toBe('never');

    await page.goto(`${offline.url}/admin/providers/${providers.returned}`);
    await page.getByRole('heading', { name: 'Quinn Returned' }).waitFor();
    await expect(page.getByTestId('provider-opted-in').innerText()).resolves.toMatch(
      /, replied START by SMS$/,
    );
    await expect(page.getByTestId('provider-opted-out').innerText()).resolves.toMatch(
      /^\w{3} \d+, \d{4}.*, replying “Please stop texting me” \(opted in again since\)$/,
    );
    await page.waitForLoadState('networkidle');
    expectClean(problems);
    await context.close();
  });
});

describe('Dashboard: demand without supply', () => {
  it('lists the category and zip that found no provider, how many leads and why; the lead says it too', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedIn(390, 844);
    await page.goto(`${offline.url}/admin/`);
    const table = page.getByTestId('unserved');
    await table.waitFor({ timeout: 30_000 });
    const row = table.getByRole('row').filter({ hasText: UNSERVED_ZIP });
    await expect(row.getByRole('cell').allInnerTexts()).resolves.toEqual([
      'plumbing',
      UNSERVED_ZIP,
      '1',
      'no provider serves it (1)',
    ]);
    const stats = await call('GET', '/stats');
    await expect(page.getByTestId('unserved-leads').innerText()).resolves.toBe(
      String((stats.unmatched as { leads: number }).leads),
    );

    await page.goto(`${offline.url}/admin/leads/${ids.unserved}`);
    await expect(page.getByTestId('lead-unmatched').innerText()).resolves.toBe('no provider serves it');
    await page.waitForLoadState('networkidle');
    expectClean(problems);
    await context.close();
  });
});

describe.each(VIEWPORTS)('at %i×%i', (width, height) => {
  it.each([
    ['lead with consent', () => `/admin/leads/${ids.sameClient}`, ['Erase client data…']],
    ['lead without consent', () => `/admin/leads/${ids.noConsent}`, ['Erase client data…']],
    ['erased lead', (): string => `/admin/leads/${ids.erased}`, []],
    ['provider', () => `/admin/providers/${providers.returned}`, ['Edit']],
    ['dashboard', (): string => '/admin/', []],
  ] as const)(
    '%s: fits the window, every action on screen, no serious axe violation',
    async (name, route, buttons) => {
      showServerOnFailure(offline);
      const { context, page, problems } = await signedIn(width, height);
      await page.goto(`${offline.url}${route()}`);
      await page.locator('h1').first().waitFor({ timeout: 30_000 });
      if (name === 'dashboard') await page.getByTestId('unserved').waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      await expectFits(page, [...buttons]);
      const file = `privacy-${name.replaceAll(' ', '-')}-${width}.png`;
      await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      if (route().endsWith(ids.erased)) {
        const text = await mainText(page);
        expect(text).toContain('Client data erased at');
        for (const gone of [...Object.values(CLIENT), 'Already Gone', 'null'])
          expect(text).not.toContain(gone);
        await expect(page.getByRole('button', { name: /Erase/ }).count()).resolves.toBe(0);
      }
      expectClean(problems);
      await context.close();
    },
  );
});
