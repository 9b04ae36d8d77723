// The portal's sign-in link in Chromium against the real `serverless offline`, this file's own
// database and the fake TextMagic: ACCOUNT by SMS, the link's page at 1366×900 and 390×844 (fits,
// no serious or critical axe-core violation, no CSP violation), its button pressed as a person
// would (the browser's own form POST, with the Origin it sends), the session cookie as the
// browser keeps it, and the used link's page afterwards.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { seriousViolations } from '../support/accessibility';
import { phoneNumber, tmDigits } from '../support/app';
import { launchBrowser, unexpected, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { callJson, showServerOnFailure, startOffline, type Offline } from '../support/offline';

// No keys are set, so the local development ones apply (lib/config.ts).
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
let inbound = 0;

beforeAll(async () => {
  [stripe, textmagic] = await Promise.all([startFakeStripe(), startFakeTextMagic()]);
  [offline, chrome] = await Promise.all([
    startOffline({ env: { DATABASE_URL: db.url, ...fakeServicesEnv(stripe, textmagic), LOG_LEVEL: 'warn' } }),
    launchBrowser(),
  ]);
  await db.query(
    `insert into categories (slug, name, price_cents, max_unlocks, ttl_hours) values ('plumbing', 'Plumbing', 1500, 3, 72)
     on conflict (slug) do nothing`,
  );
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

/** A new provider texts `word`; the link in the SMS they get back. */
async function linkBySms(language: 'en' | 'es', word: string): Promise<string> {
  const phone = phoneNumber();
  await callJson(
    offline,
    'POST',
    '/providers',
    { name: 'Pat Plumber', phone, categories: ['plumbing'], zipCodes: ['78702'], language },
    ADMIN,
  );
  const before = textmagic.sent.length;
  await callJson(
    offline,
    'POST',
    '/sms/inbound?token=local-sms-token',
    { id: `portal-browser-${Date.now()}-${++inbound}`, sender: tmDigits(phone), text: word },
    {},
  );
  const sms = textmagic.sent.slice(before).find((m) => m.phones.includes(tmDigits(phone)));
  const url = /(http\S+\/portal\/s\/[A-Za-z0-9_-]+)$/.exec(sms?.text ?? '')?.[1];
  expect(url, sms?.text).toBeDefined();
  return url!;
}

/** No sideways scrolling, and the button within the window. */
async function expectFits(page: Page, button?: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, 'page wider than the window').toBeLessThanOrEqual(clientWidth);
  if (!button) return;
  const box = await page.getByRole('button', { name: button }).boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x + box!.width).toBeLessThanOrEqual(clientWidth);
}

describe('the sign-in link', () => {
  for (const [width, height] of VIEWPORTS) {
    it(`${width}×${height}: its page fits and passes axe-core; the button signs in once`, async () => {
      showServerOnFailure(offline);
      const link = await linkBySms('en', 'ACCOUNT');
      const context = await chrome.context(width, height);
      const { page, problems } = await chrome.newPage(context);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Sign in to your account' }).waitFor();
      await expectFits(page, 'Sign in');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, `portal-sign-in-${width}.png`), fullPage: true });
      // Opening it set nothing.
      expect(await context.cookies()).toEqual([]);

      // The button: the browser's own POST (with the Origin it sends), then the portal.
      const landed = page.waitForURL(`${offline.url}/portal`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await landed;
      const cookies = await context.cookies();
      expect(cookies).toEqual([
        expect.objectContaining({
          name: 'lu_portal',
          path: '/portal',
          httpOnly: true,
          sameSite: 'Strict',
          secure: false,
        }),
      ]);

      // The link again: used, and how to get a new one.
      const again = await page.goto(link);
      expect(again?.status()).toBe(410);
      await page.getByRole('heading', { name: 'This link was already used' }).waitFor();
      await page.getByText('Text ACCOUNT').waitFor();
      await expectFits(page);
      expect(await seriousViolations(page)).toEqual([]);
      // The used link is a 410; the portal it landed on answered without a failure.
      expect(unexpected(problems, [/\/portal\/s\//, /\/favicon\.ico$/])).toEqual([]);
      expect(problems.filter((p) => p.kind === 'csp')).toEqual([]);
      await context.close();
    }, 90_000);
  }

  it('in Spanish, and an unknown link in both languages', async () => {
    showServerOnFailure(offline);
    const link = await linkBySms('es', 'CUENTA');
    const context = await chrome.context(390, 844);
    const { page, problems } = await chrome.newPage(context);
    await page.goto(link);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await page.getByRole('heading', { name: 'Entre a su cuenta' }).waitFor();
    await expectFits(page, 'Entrar');
    expect(await seriousViolations(page)).toEqual([]);

    const unknown = await page.goto(`${offline.url}/portal/s/${'x'.repeat(43)}`);
    expect(unknown?.status()).toBe(404);
    await page.getByText('Text ACCOUNT').waitFor();
    await page.getByText('Envíenos CUENTA').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(unexpected(problems, [/\/portal\/s\//])).toEqual([]);
    await context.close();
  }, 90_000);
});
