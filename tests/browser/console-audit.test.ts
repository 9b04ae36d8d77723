// The console's Audit page (issue #25 §2) in Chromium against the real `serverless offline`, this
// file's own database and the fake Stripe and TextMagic: a return approved and a client erased
// through the console's own pages are then found on the Audit page, with the refunded amount, who
// made them and when (with the time zone); the filters live in the URL (a copied link shows the
// same view), older entries a page at a time. At 1366×900 a table with no sideways scrolling, at
// 390×844 cards; no serious or critical axe-core violation; the title names the page.
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
import { linkToken } from '../support/flow';
import { launchBrowser, unexpected, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { useTestCatalogue } from '../support/catalogue';
import { callJson, showServerOnFailure, startOffline, type Offline } from '../support/offline';

// No keys are set, so the local development ones apply (lib/config.ts).
const ADMIN = { authorization: 'Bearer local-admin-key' };
const LEAD_KEY = { 'x-api-key': 'local-lead-key' };
const NO_SANDBOX = [/\/sandbox\//];
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

const db = useTestDatabase();
useTestCatalogue(db);
let stripe: FakeStripe;
let textmagic: FakeTextMagic;
let offline: Offline;
let chrome: TestBrowser;
/** The provider who bought a lead and returned it; the return; a lead whose client is erased. */
const ids = { provider: '', returnId: '', code: '', erased: '' };

const call = (method: string, route: string, json?: unknown, headers: Record<string, string> = ADMIN) =>
  callJson(offline, method, route, json, headers);

/** A provider's SMS as TextMagic posts it; the texts sent back to them. */
async function reply(phone: string, text: string): Promise<string[]> {
  const before = textmagic.sent.length;
  const res = await fetch(`${offline.url}/sms/inbound?token=local-sms-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      id: `${Date.now()}${String(Math.random()).slice(2, 8)}`,
      sender: tmDigits(phone),
      receiver: '15125550000',
      messageTime: new Date().toISOString(),
      text,
    }).toString(),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
  return textmagic.sent.slice(before).map((m) => m.text);
}

beforeAll(async () => {
  [stripe, textmagic] = await Promise.all([startFakeStripe(), startFakeTextMagic()]);
  [offline, chrome] = await Promise.all([
    startOffline({ env: { DATABASE_URL: db.url, ...fakeServicesEnv(stripe, textmagic), LOG_LEVEL: 'warn' } }),
    launchBrowser(),
  ]);
  // A provider buys a lead by link, then returns it by SMS: the return waits in the console.
  const phone = phoneNumber();
  ids.provider = (
    await call('POST', '/providers', {
      name: 'Audra Audit',
      phone,
      categories: ['plumbing'],
      zipCodes: ['78701'],
      autoPay: false,
    })
  ).id as string;
  const bought = await call('POST', '/leads', lead({ category: 'plumbing', zipCode: '78701' }), LEAD_KEY);
  ids.code = bought.code as string;
  const [link] = await reply(phone, `YES ${ids.code}`);
  const pay = await fetch(`${offline.url}/p/${linkToken(link!)}`, { redirect: 'manual' });
  await pay.arrayBuffer();
  const session = [...stripe.sessions.values()].find((s) => s.url === pay.headers.get('location'))!;
  const signed = stripe.sign(stripe.completeSession(session.id));
  const paid = await fetch(`${offline.url}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signed.header },
    body: signed.payload,
  });
  expect(paid.status, await paid.text()).toBe(200);
  expect((await reply(phone, `BAD ${ids.code} wrong area`)).join()).toMatch(/we got your return/);
  ids.returnId = (
    (await call('GET', '/returns')) as { returns: Array<{ id: string; lead: { code: string } }> }
  ).returns.find((r) => r.lead.code === ids.code)!.id;
  ids.erased = (
    await call(
      'POST',
      '/leads',
      lead({ category: 'plumbing', zipCode: '78701', ...distinctClient() }),
      LEAD_KEY,
    )
  ).id as string;
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

/** The page is no wider than the window, and `selector`'s right edge lies inside it. */
async function expectFits(page: Page, selector: string) {
  const { scrollWidth, clientWidth, right } = await page.evaluate((s) => {
    const box = document.querySelector(s)?.getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      right: box && box.width > 0 ? box.right : -1,
    };
  }, selector);
  expect(scrollWidth, 'page wider than the window').toBeLessThanOrEqual(clientWidth);
  expect(right, `${selector} shown`).toBeGreaterThan(0);
  expect(right, `${selector}'s right edge`).toBeLessThanOrEqual(clientWidth);
}

const TIME_WITH_ZONE = /\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M (UTC|GMT[+-]?\d*|[A-Z]{2,5})/;

describe('the Audit page', () => {
  it('finds a return approved and a client erased through the console: who, when (with the zone), the refund', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedInPage(chrome, offline.url, 1366, 900);

    // Two changes, through the console's own pages.
    await page.goto(`${offline.url}/admin/returns`);
    const row = page.getByTestId('return-row').filter({ hasText: ids.code });
    await row.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 });
    // Asked once (components/action-button.tsx), then done.
    await row.getByRole('button', { name: /^Refund / }).click();
    await page.getByTestId('returns').getByText('No open returns.').waitFor();
    await page.goto(`${offline.url}/admin/leads/${ids.erased}`);
    await page.getByRole('button', { name: 'Erase client data…' }).click({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Erase for good' }).click();
    const notice = page.getByTestId('notice');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toBe('Erased: 1 lead');

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-table').waitFor({ timeout: 30_000 });
    await expect(page.title()).resolves.toMatch(/^Audit\b/);
    const rows = page.getByTestId('audit-row');
    const approval = await rows.filter({ hasText: 'Return approved (refund)' }).innerText();
    expect(approval).toContain('$15.00');
    expect(approval).toContain(ids.returnId);
    expect(approval).toContain('Admin API key');
    expect(approval).toContain('Done');
    expect(approval).toMatch(TIME_WITH_ZONE);
    const erasure = await rows.filter({ hasText: 'Client data erased' }).innerText();
    expect(erasure).toContain(ids.erased);
    expect(erasure).not.toContain('$');
    // Newest first: the erasure came after the approval.
    const order = await rows.allInnerTexts();
    expect(order.findIndex((t) => t.includes('Client data erased'))).toBeLessThan(
      order.findIndex((t) => t.includes('Return approved')),
    );
    // Made through the console: the entries name its session and the request, for the logs.
    const stored = await db.query<{ session_id: string | null; request_id: string | null }>(
      `select session_id, request_id from audit_entries where action in ('return.approve', 'client.erase')`,
    );
    expect(stored).toHaveLength(2);
    for (const s of stored) {
      expect(s.session_id).toMatch(/^[\w-]{16}$/);
      expect(s.request_id).toBeTruthy();
    }

    await expectFits(page, '[data-testid="audit-table"]');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit-1366.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(unexpected(problems, NO_SANDBOX)).toEqual([]);
    await context.close();
  }, 90_000);

  it('keeps its filters in the URL: a copied link opens the same view; Clear shows all again', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedInPage(chrome, offline.url, 1366, 900);
    await page.goto(`${offline.url}/admin/audit`);
    await page.getByTestId('audit-table').waitFor({ timeout: 30_000 });
    await page.getByLabel('Action').selectOption('return.approve');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=return\.approve/);
    await expect.poll(() => page.getByTestId('audit-row').count()).toBe(1);

    const shared = await context.newPage();
    await shared.goto(page.url());
    await shared.getByTestId('audit-table').waitFor({ timeout: 30_000 });
    await expect.poll(() => shared.getByTestId('audit-row').count()).toBe(1);
    await expect(shared.getByLabel('Action').inputValue()).resolves.toBe('return.approve');
    // A day long past: nothing.
    await shared.goto(`${offline.url}/admin/audit?action=return.approve&to=2020-01-01`);
    await shared.getByTestId('audit-empty').waitFor({ timeout: 30_000 });
    await shared.close();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL((u) => u.search === '');
    // The form follows the URL once the page has rendered it: asked until then.
    await expect.poll(() => page.getByLabel('Action').inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('audit-row').count()).toBeGreaterThan(1);
    expect(unexpected(problems, NO_SANDBOX)).toEqual([]);
    await context.close();
  }, 60_000);

  it('pages to older entries and back to the newest', async () => {
    showServerOnFailure(offline);
    // 55 more changes: more than a page of 50.
    for (let i = 0; i < 55; i++) await call('PATCH', `/providers/${ids.provider}`, { dailyLeadCap: 10 + i });
    const { context, page, problems } = await signedInPage(chrome, offline.url, 1366, 900);
    await page.goto(`${offline.url}/admin/audit`);
    await page.getByTestId('audit-table').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('audit-row').count()).resolves.toBe(50);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.waitForURL(/cursor=/);
    await page
      .getByTestId('audit-row')
      .filter({ hasText: 'Return approved (refund)' })
      .waitFor({ timeout: 30_000 });
    const older = await page.getByTestId('audit-row').count();
    expect(older).toBeGreaterThan(0);
    expect(older).toBeLessThan(50);
    await page.getByRole('button', { name: 'Newest' }).click();
    await page.waitForURL((u) => !u.search.includes('cursor'));
    await expect.poll(() => page.getByTestId('audit-row').count()).toBe(50);
    expect(unexpected(problems, NO_SANDBOX)).toEqual([]);
    await context.close();
  }, 90_000);

  it('at 390×844: cards instead of the table, nothing wider than the phone', async () => {
    showServerOnFailure(offline);
    const { context, page, problems } = await signedInPage(chrome, offline.url, 390, 844);
    await page.goto(`${offline.url}/admin/audit?action=return.approve`);
    const card = page.getByTestId('audit-card');
    await card.first().waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('audit-table').isVisible()).resolves.toBe(false);
    const text = await card.first().innerText();
    expect(text).toContain('Return approved (refund)');
    expect(text).toContain('$15.00');
    expect(text).toMatch(TIME_WITH_ZONE);
    await expectFits(page, '[data-testid="audit-card"]');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit-390.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(unexpected(problems, NO_SANDBOX)).toEqual([]);
    await context.close();
  }, 60_000);
});
