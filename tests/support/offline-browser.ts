/**
 * What a browser test of the console sets up, once per file: its own database (with the test
 * catalogue unless told not to), the fake Stripe and TextMagic, `serverless offline` on them, and
 * Chromium; and the measures those tests take of a page (every action inside the window, no
 * sideways scrolling, axe-core). Hooks are registered by the call: call it at the file's top.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { seriousViolations } from './accessibility';
import { launchBrowser, unexpected, type Problem, type TestBrowser } from './browser';
import { useTestCatalogue } from './catalogue';
import { signedInPage } from './console-session';
import { useTestDatabase, type TestDatabase } from './database';
import { tmDigits } from './app';
import { linkToken } from './flow';
import { callJson, showServerOnFailure, startOffline, type Offline } from './offline';

export const ADMIN = { authorization: 'Bearer local-admin-key' };
export const LEAD_KEY = { 'x-api-key': 'local-lead-key' };
export const SMS_TOKEN = 'local-sms-token';
/** The two windows every console page is tried at. */
export const VIEWPORTS = [
  [1366, 900],
  [390, 844],
] as const;
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
/** The sandbox's routes answer 404 outside `npm start`: the layout asks, nothing is wrong. */
export const NO_SANDBOX = [/\/sandbox\//];

export type OfflineBrowser = {
  db: TestDatabase;
  readonly offline: Offline;
  readonly chrome: TestBrowser;
  readonly stripe: FakeStripe;
  readonly textmagic: FakeTextMagic;
  /** `method route` with a JSON body (the admin key unless `headers` say otherwise); its 2xx JSON. */
  call(method: string, route: string, json?: unknown, headers?: Record<string, string>): Promise<any>;
  /**
   * A signed-in page at `width`×`height` on the console's `route` (`/returns`), once `ready` (a
   * test id) shows; what goes wrong on it is in `problems`. Prints the server's output should
   * the test fail.
   */
  /** A provider's SMS, posted as TextMagic posts it. */
  reply(phone: string, text: string): Promise<void>;
  /**
   * `phone` buys lead `code` as a provider does by link: `YES <code>`, the pay link, and Stripe's
   * signed `checkout.session.completed` to the webhook. The Checkout Session's id.
   */
  buy(phone: string, code: string): Promise<string>;
  open(
    route: string,
    opts?: { width?: number; height?: number; ready?: string },
  ): Promise<{ page: Page; problems: Problem[]; close(): Promise<void> }>;
};

export function useOfflineBrowser(
  opts: { catalogue?: boolean; env?: Record<string, string> } = {},
): OfflineBrowser {
  const db = useTestDatabase();
  if (opts.catalogue !== false) useTestCatalogue(db);
  let offline: Offline | undefined;
  let chrome: TestBrowser | undefined;
  let stripe: FakeStripe | undefined;
  let textmagic: FakeTextMagic | undefined;
  const ready = <T>(v: T | undefined, name: string): T => {
    if (v === undefined)
      throw new Error(`${name} is not started yet (use it in a test or a later beforeAll)`);
    return v;
  };

  beforeAll(async () => {
    [stripe, textmagic] = await Promise.all([startFakeStripe(), startFakeTextMagic()]);
    [offline, chrome] = await Promise.all([
      startOffline({
        env: { DATABASE_URL: db.url, ...fakeServicesEnv(stripe, textmagic), LOG_LEVEL: 'warn', ...opts.env },
      }),
      launchBrowser(),
    ]);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    await chrome?.close();
    await offline?.stop();
    await Promise.all([stripe?.close(), textmagic?.close()]);
  }, 30_000);

  let inbound = 0;
  const self: OfflineBrowser = {
    db,
    get offline() {
      return ready(offline, 'serverless offline');
    },
    get chrome() {
      return ready(chrome, 'Chromium');
    },
    get stripe() {
      return ready(stripe, 'the fake Stripe');
    },
    get textmagic() {
      return ready(textmagic, 'the fake TextMagic');
    },
    call: (method, route, json, headers = ADMIN) => callJson(self.offline, method, route, json, headers),
    async reply(phone, text) {
      const res = await fetch(`${self.offline.url}/sms/inbound?token=${SMS_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          id: `${Date.now()}${++inbound}`,
          sender: tmDigits(phone),
          receiver: '15125550000',
          messageTime: new Date().toISOString(),
          text,
        }).toString(),
      });
      expect(res.status, await res.text()).toBe(200);
    },
    async buy(phone, code) {
      const before = self.textmagic.sent.length;
      await self.reply(phone, `YES ${code}`);
      const link = self.textmagic.sent.slice(before).find((m) => /\/p\//.test(m.text));
      if (!link)
        throw new Error(
          `no pay link for ${phone} after YES ${code}; it got: ${self.textmagic.sent
            .slice(before)
            .map((m) => m.text)
            .join(' | ')}`,
        );
      const pay = await fetch(new URL(`/p/${linkToken(link.text)}`, self.offline.url), {
        redirect: 'manual',
      });
      await pay.arrayBuffer();
      expect(pay.status).toBe(303);
      const session = [...self.stripe.sessions.values()].find((x) => x.url === pay.headers.get('location'));
      if (!session) throw new Error(`no Checkout Session at ${pay.headers.get('location')}`);
      const signed = self.stripe.sign(self.stripe.completeSession(session.id));
      const hook = await fetch(`${self.offline.url}/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Stripe-Signature': signed.header },
        body: signed.payload,
      });
      expect(hook.status, await hook.text()).toBe(200);
      return session.id;
    },
    async open(route, o = {}) {
      showServerOnFailure(self.offline);
      const { context, page, problems } = await signedInPage(
        self.chrome,
        self.offline.url,
        o.width ?? 1366,
        o.height ?? 900,
      );
      await page.goto(`${self.offline.url}/admin${route}`);
      if (o.ready) await page.getByTestId(o.ready).first().waitFor({ timeout: 30_000 });
      return { page, problems, close: () => context.close() };
    },
  };
  return self;
}

/** Where a page's layout overflows: the page's own sideways scroll, and each action past the window's right edge. */
export type Overflow = { innerWidth: number; scrollWidth: number; outside: string[] };

/**
 * Measures the page as it stands: `document.scrollingElement.scrollWidth` (the page scrolls
 * sideways when it exceeds `innerWidth`), and the right edge of every element `actions` matches
 * (`getBoundingClientRect().right`), each named by its text, that is past `innerWidth`, past the
 * right edge of the box that clips it (a table scrolled sideways in its region), or hidden (no
 * box) while it should be clickable.
 */
export async function measureOverflow(
  page: Page,
  actions = 'main button, main a[role="button"]',
): Promise<Overflow> {
  return page.evaluate((selector) => {
    const outside: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      if (el.closest('details:not([open])')) continue;
      const r = el.getBoundingClientRect();
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
      if (r.width === 0 && r.height === 0) outside.push(`${name} (no box)`);
      else if (r.right > window.innerWidth + 0.5)
        outside.push(`${name} (right edge at ${Math.round(r.right)})`);
      else {
        // Inside the window, but perhaps hidden past the right edge of a box that scrolls sideways.
        for (let box = el.parentElement; box; box = box.parentElement) {
          if (!/auto|scroll|hidden/.test(getComputedStyle(box).overflowX)) continue;
          const right = box.getBoundingClientRect().right;
          if (r.right > right + 0.5)
            outside.push(`${name} (right edge at ${Math.round(r.right)}, its box's at ${Math.round(right)})`);
          break;
        }
      }
    }
    return {
      innerWidth: window.innerWidth,
      scrollWidth: document.scrollingElement!.scrollWidth,
      outside,
    };
  }, actions);
}

/** The page fits its window: no sideways scroll, and every action's right edge inside the viewport. */
export async function expectActionsInView(page: Page, actions?: string): Promise<Overflow> {
  const m = await measureOverflow(page, actions);
  expect(m.outside, 'actions past the window').toEqual([]);
  expect(m.scrollWidth, 'page wider than the window').toBeLessThanOrEqual(m.innerWidth);
  return m;
}

/**
 * The checks every console page passes as it stands: fits its window with its actions on screen,
 * no serious or critical axe-core violation, its `<title>` names it, nothing went wrong on it
 * (but answers matching `allowed`); a screenshot under test-results/screenshots/.
 */
export async function expectUsablePage(
  page: Page,
  problems: Problem[],
  opts: { title: RegExp; screenshot: string; allowed?: RegExp[] },
): Promise<void> {
  await expectActionsInView(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${opts.screenshot}.png`), fullPage: true });
  expect(await seriousViolations(page)).toEqual([]);
  await expect(page.title()).resolves.toMatch(opts.title);
  expect(unexpected(problems, [...NO_SANDBOX, ...(opts.allowed ?? [])])).toEqual([]);
}

/** Tabs from where the focus is until `target` has it; fails when no Tab reaches it. */
export async function tabUntil(page: Page, target: Locator, max = 120): Promise<void> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error('no such element to tab to');
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await handle.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`no Tab reaches ${await target.evaluate((el) => el.outerHTML.slice(0, 120))}`);
}
