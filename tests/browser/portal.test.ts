// The provider portal in Chromium, through the sandbox as a newcomer clicks it (`npm start`'s local
// stack: the Stripe and TextMagic stand-ins, serverless-offline behind the front server, on this
// file's own database): at 390×844, ACCOUNT typed on the console's Phones page, the link in the
// thread followed, Sign in, an open lead bought by its pay link (the local checkout page, Pay),
// its details, a return opened, the weekly cap changed (GET /providers/{id} shows it), the card
// replaced (Checkout in setup mode, on the stand-in's page), Spending, and Sign out. Then each
// portal page at 1366×900 and 390×844: no sideways scroll, every action within the window, no
// serious or critical axe-core violation; Buy by keyboard, Stop all texts asked once; screenshots
// to test-results/screenshots/portal-*.png, and each page's first load in a cold browser context
// (a figure for docs/portal.md, never asserted).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/local-stack';
import { seriousViolations } from '../support/accessibility';
import { launchBrowser, unexpected, type Problem, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';

const SHOTS = path.resolve('test-results/screenshots');
const PAT = '+15125550101';
const ADMIN = { authorization: 'Bearer local-admin-key' };
const VIEWPORTS = [
  [1366, 900],
  [390, 844],
] as const;

const db = useTestDatabase();
let stack: LocalStack;
let chrome: TestBrowser;
/** The console (Phones), and the portal as Pat's phone shows it. */
let consolePage: Page;
let phone: Page;
let phoneContext: BrowserContext;
const problems: Problem[] = [];
const requests: string[] = [];

beforeAll(async () => {
  // No credentials of any kind: the stand-ins and the local development keys, as on a fresh clone.
  const none = Object.fromEntries(
    [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_API_URL',
      'TEXTMAGIC_USERNAME',
      'TEXTMAGIC_API_KEY',
      'TEXTMAGIC_API_URL',
      'TEXTMAGIC_FROM_NUMBER',
      'LEAD_API_KEY',
      'ADMIN_API_KEY',
      'INBOUND_SMS_TOKEN',
      'PUBLIC_BASE_URL',
      'TEASER_HOURS',
    ].map((k) => [k, '']),
  );
  stack = await startLocalStack({ port: 0, databaseUrl: db.url, isolated: true, env: none });
  chrome = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
  const seeded = await fetch(`${stack.url}/sandbox/seed`, {
    method: 'POST',
    headers: { ...ADMIN, origin: stack.url },
  });
  expect(seeded.status).toBeLessThan(300);
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await stack?.stop();
}, 60_000);

/** A plumbing inquiry in 78701, as a website posts it: Pat is offered it. Its code. */
async function inquiry(name: string): Promise<string> {
  const res = await fetch(`${stack.url}/leads`, {
    method: 'POST',
    headers: { 'x-api-key': 'local-lead-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      phone: `(512) 555-0${Math.floor(100 + Math.random() * 899)}`,
      email: 'jane.client@example.com',
      category: 'plumbing',
      zipCode: '78701',
      description: 'Kitchen sink leaking under the cabinet.',
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

/** No sideways scrolling; each of `buttons` (by accessible name) within the window. */
async function expectFits(page: Page, what: string, buttons: RegExp[] = []) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${what} scrolls sideways`).toBeLessThanOrEqual(clientWidth);
  for (const name of buttons) {
    const button = page.getByRole('button', { name }).first();
    await button.scrollIntoViewIfNeeded();
    const box = await button.boundingBox();
    expect(box, `${what}: ${String(name)}`).not.toBeNull();
    expect(box!.x, `${what}: ${String(name)}`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${what}: ${String(name)}`).toBeLessThanOrEqual(clientWidth);
  }
}

describe('the portal, by clicking through the sandbox at 390×844', () => {
  // What the phone showed when a step failed.
  beforeEach(() =>
    onTestFailed(async () => {
      if (!phone) return;
      await phone.screenshot({ path: path.join(SHOTS, 'portal-failed.png'), fullPage: true }).catch(() => {});
      console.log('problems:', JSON.stringify(problems), '\n' + requests.join('\n'));
    }),
  );
  let code = '';
  let patId = '';

  it('ACCOUNT on the Phones page brings a link; following it and Sign in opens the portal', async () => {
    code = await inquiry('Jane Client');
    const context = await chrome.context(390, 844);
    const watched = await chrome.newPage(context);
    consolePage = watched.page;
    await consolePage.goto(`${stack.url}/admin/sign-in`);
    await consolePage.getByLabel(/admin key/i).fill('local-admin-key');
    await consolePage.getByRole('button', { name: 'Sign in with the key' }).click();
    await consolePage.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await consolePage.goto(`${stack.url}/admin/phones`);
    const pat = consolePage.getByTestId(`phone-${PAT.slice(1)}`);
    await pat.getByRole('textbox').fill('ACCOUNT');
    await pat.getByRole('button', { name: 'Send' }).click();
    const link = pat.getByRole('link', { name: /\/portal\/s\// });
    await link.waitFor({ timeout: 20_000 });

    // The link opens as the phone would open it: its own tab.
    const opened = context.waitForEvent('page');
    await link.click();
    phone = await opened;
    phoneContext = context;
    phone.on('response', (r) => {
      if (r.status() >= 400)
        problems.push({ kind: 'response', text: `${r.status()} ${r.url()}`, url: r.url() });
    });
    phone.on('pageerror', (e) => problems.push({ kind: 'pageerror', text: e.message }));
    phone.on('console', (m) => requests.push(`console ${m.type()}: ${m.text()}`));
    phone.on(
      'requestfinished',
      (r) => void r.response().then((res) => requests.push(`${r.method()} ${r.url()} ${res?.status()}`)),
    );
    phone.on('requestfailed', (r) =>
      requests.push(`FAILED ${r.method()} ${r.url()} ${r.failure()?.errorText}`),
    );
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.waitForURL(`${stack.url}/portal`);
    await phone.getByRole('heading', { name: 'Open leads' }).waitFor();
    await phone.getByTestId(`offer-${code}`).waitFor();
    expect(await phone.title()).toBe('Open leads · Your leads');
    expect(unexpected(watched.problems, [/\/admin\/session$/])).toEqual([]);
  }, 60_000);

  it('buys the open lead: asked once, the pay link, Pay on the local checkout page, then its details', async () => {
    const offer = phone.getByTestId(`offer-${code}`);
    // Never the client's contact before it is bought.
    expect(await offer.innerText()).not.toContain('Jane Client');
    await offer.getByRole('button', { name: `Buy lead ${code}` }).click();
    await offer
      .getByText(new RegExp(`^Buy lead ${code} for \\$\\d+\\.\\d\\d\\? You will pay on the next page\\.$`))
      .waitFor();
    await offer.getByRole('button', { name: 'Yes, buy' }).click();
    // The stand-in's Checkout page, as Stripe's would be.
    await phone.getByRole('button', { name: /pay/i }).click();
    await phone.getByText(/this lead is yours/i).waitFor();

    await phone.goto(`${stack.url}/portal/bought`);
    const bought = phone.getByTestId(`bought-${code}`);
    await bought.waitFor();
    const client = bought.getByTestId('client');
    await client.getByText('Jane Client').waitFor();
    expect(await client.getByRole('link', { name: /^\+1512555/ }).getAttribute('href')).toMatch(
      /^tel:\+1512555\d{4}$/,
    );
    expect(await client.getByRole('link', { name: 'jane.client@example.com' }).getAttribute('href')).toBe(
      'mailto:jane.client@example.com',
    );
    expect(await phone.title()).toBe('Bought leads · Your leads');
  }, 60_000);

  it('opens a return with a reason and words; Returns shows it waiting', async () => {
    const bought = phone.getByTestId(`bought-${code}`);
    await bought.getByRole('button', { name: `Report a problem with lead ${code}` }).click();
    await bought.getByLabel('What is wrong?').selectOption('wrong_area');
    await bought.getByLabel('In your words (optional)').fill('The job is in Round Rock.');
    await bought.getByRole('button', { name: 'Send the return' }).click();
    await bought.getByTestId('return-status').waitFor();
    expect(await bought.getByTestId('return-status').innerText()).toMatch(
      /^Return: (waiting for review|approved: refunded)/,
    );

    await phone.getByRole('link', { name: 'Returns' }).click();
    const row = phone.getByTestId(`return-${code}`);
    await row.waitFor();
    expect(await row.innerText()).toContain('“The job is in Round Rock.”');
    expect(await phone.title()).toBe('Returns · Your leads');
  }, 30_000);

  it('changes the weekly cap in Settings: GET /providers/{id} shows it', async () => {
    await phone.getByRole('link', { name: 'Settings' }).click();
    const form = phone.getByRole('form', { name: 'Your settings' });
    await form.waitFor({ timeout: 10_000 });
    expect(await phone.title()).toBe('Settings · Your leads');
    await form.getByLabel('Weekly spend cap').fill('137', { timeout: 5000 });
    await form.getByRole('button', { name: 'Save' }).click({ timeout: 5000 });
    await phone.getByTestId('settings-saved').waitFor({ timeout: 10_000 });
    const listed = (await (await fetch(`${stack.url}/providers`, { headers: ADMIN })).json()) as {
      providers: Array<{ id: string; phone: string }>;
    };
    patId = listed.providers.find((p) => p.phone === PAT)!.id;
    const detail = (await (await fetch(`${stack.url}/providers/${patId}`, { headers: ADMIN })).json()) as {
      provider: { weeklySpendCapCents: number | null };
    };
    expect(detail.provider.weeklySpendCapCents).toBe(13_700);
    // The page again shows it as saved.
    await phone.reload();
    expect(await phone.getByLabel('Weekly spend cap').inputValue()).toBe('137');
  }, 30_000);

  it("replaces the saved card through Checkout in setup mode, on the stand-in's page", async () => {
    const card = async () =>
      (
        await db.query<{ card: string | null }>(
          'select saved_payment_method_id as card from providers where id = $1',
          [patId],
        )
      )[0]!.card;
    const before = await card();
    expect(before, 'the first Checkout saved a card').not.toBeNull();
    expect(await phone.getByTestId('card-state').innerText()).toBe('A card is saved.');
    await phone.getByRole('button', { name: 'Replace card' }).click();
    // The stand-in's page for setup mode ("Save a card for later payments"), as Stripe's would be.
    await phone.waitForURL(/\/pay\/cs_/);
    await phone.getByText('Save a card for later payments').waitFor();
    await phone.getByRole('button', { name: /^Pay/ }).click();
    await phone.waitForURL(/\/portal\/settings\?card=saved$/);
    await phone.getByText('Stripe has your new card').waitFor();
    const deadline = Date.now() + 20_000;
    while ((await card()) === before && Date.now() < deadline) await phone.waitForTimeout(300);
    expect(await card()).not.toBe(before);
  }, 45_000);

  it('Spending shows the week against the new cap and the payment', async () => {
    await phone.getByRole('link', { name: 'Spending' }).click();
    const week = phone.getByTestId('week');
    await week.waitFor();
    expect(await week.innerText()).toContain('of your $137.00 cap');
    await phone.getByTestId(`entry-payment-${code}`).waitFor();
    expect(await phone.title()).toBe('Spending · Your leads');
  }, 30_000);
});

/** The portal pages, each with what must be visible on it and its actions. */
const PAGES = [
  {
    name: 'leads',
    path: '/',
    heading: 'Open leads',
    ready: '[data-testid^="offer-"]',
    buttons: [/^Buy lead/, /Sign out/],
  },
  {
    name: 'bought',
    path: '/bought',
    heading: 'Bought leads',
    ready: '[data-testid^="bought-"]',
    buttons: [/Sign out/],
  },
  {
    name: 'returns',
    path: '/returns',
    heading: 'Returns',
    ready: '[data-testid^="return-"]',
    buttons: [/Sign out/],
  },
  {
    name: 'spending',
    path: '/spending',
    heading: 'Spending',
    ready: '[data-testid^="entry-"]',
    buttons: [/Sign out/],
  },
  {
    name: 'settings',
    path: '/settings',
    heading: 'Settings',
    ready: '[data-testid="card-state"]',
    buttons: [/^Save$/, /^Replace card$/, /^Remove card$/, /^Stop all texts$/, /Sign out/],
  },
  {
    name: 'compare',
    path: '/compare',
    heading: 'How you compare',
    ready: '[data-testid="compare"]',
    buttons: [/Sign out/],
  },
];

describe('each portal page at 1366×900 and 390×844', () => {
  let patId = '';
  let cookie: { name: string; value: string; domain: string; path: string };
  const loads: Record<string, number[]> = {};

  beforeAll(async () => {
    // An open lead for Leads and its keyboard check.
    await inquiry('Kim Keyboard');
    const session = (await phoneContext.cookies()).find((c) => c.name === 'lu_portal');
    expect(session).toBeDefined();
    cookie = { name: session!.name, value: session!.value, domain: session!.domain, path: session!.path };
  });

  for (const [width, height] of VIEWPORTS) {
    for (const p of PAGES) {
      it(`${p.name} at ${width}: fits, passes axe-core, first load measured`, async () => {
        // A cold context per page: nothing cached, only the session's cookie.
        const context = await chrome.context(width, height);
        await context.addCookies([cookie]);
        const { page, problems: seen } = await chrome.newPage(context);
        await page.goto(`${stack.url}/portal${p.path}`);
        await page.locator(p.ready).first().waitFor();
        (loads[p.name] ??= []).push(await page.evaluate(() => performance.now()));
        await page.getByRole('heading', { name: p.heading }).waitFor();
        await expectFits(page, `${p.name} at ${width}`, p.buttons);
        expect(await seriousViolations(page)).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, `portal-${p.name}-${width}.png`), fullPage: true });
        expect(unexpected(seen)).toEqual([]);
        await context.close();
      }, 60_000);
    }
  }

  it('Buy by keyboard: Tab to Buy, Enter, Enter on the confirmation; the saved card is charged and the details show', async () => {
    const context = await chrome.context(390, 844);
    await context.addCookies([cookie]);
    const { page } = await chrome.newPage(context);
    await page.goto(`${stack.url}/portal/`);
    const offer = page.locator('[data-testid^="offer-"]').first();
    await offer.waitFor();
    const code = (await offer.getAttribute('data-testid'))!.slice('offer-'.length);
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      if (focused === `Buy lead ${code}`) break;
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Buy lead ${code}`,
    );
    await page.keyboard.press('Enter');
    // The confirmation takes the focus: Enter answers it.
    await offer.getByText(`Buy lead ${code} for`).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Yes, buy', undefined, {
      timeout: 5_000,
    });
    await page.keyboard.press('Enter');
    // Pat's card was saved by the first Checkout: charged, watched until bought, the details here.
    await offer.getByText('Charging your saved card…').waitFor();
    await offer.getByText('Bought.').waitFor({ timeout: 30_000 });
    await offer.getByTestId('client').getByText('Kim Keyboard').waitFor();
    await context.close();
  }, 60_000);

  it('signed out, or without a session: only how to get a sign-in link', async () => {
    await phone.goto(`${stack.url}/portal/`);
    await phone.getByRole('button', { name: 'Sign out' }).click();
    await phone.waitForURL(/\/portal\/signed-out/);
    for (const [width, height] of VIEWPORTS) {
      const context = await chrome.context(width, height);
      const { page, problems: seen } = await chrome.newPage(context);
      await page.goto(`${stack.url}/portal/bought`);
      await page.getByRole('heading', { name: 'Sign in by text' }).waitFor();
      expect(await page.getByTestId('sign-in-how').innerText()).toMatch(
        /^Text ACCOUNT to .+ for a sign-in link\.$/,
      );
      // No other content: no nav, no Sign out.
      expect(await page.getByRole('navigation').count()).toBe(0);
      await expectFits(page, `signed out at ${width}`);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `portal-signed-out-${width}.png`), fullPage: true });
      expect(unexpected(seen, [/\/portal\/api\//])).toEqual([]);
      await context.close();
    }
  }, 60_000);

  it('Stop all texts, asked once: opted out as by STOP, and signed out', async () => {
    // A new link for Pat by ACCOUNT, as the Phones page sends it.
    const sent = await fetch(`${stack.url}/sandbox/phones/reply`, {
      method: 'POST',
      headers: { ...ADMIN, origin: stack.url, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: PAT, text: 'ACCOUNT' }),
    });
    expect(sent.status, await sent.clone().text()).toBeLessThan(300);
    let link: string | undefined;
    for (let i = 0; i < 40 && !link; i++) {
      const { phones } = (await (await fetch(`${stack.url}/sandbox/phones`, { headers: ADMIN })).json()) as {
        phones: Array<{ phone: string; providerId: string; messages: Array<{ text: string }> }>;
      };
      const pat = phones.find((p) => p.phone === PAT)!;
      patId = pat.providerId;
      const links = pat.messages.flatMap(
        (m) => /(http\S+\/portal\/s\/[A-Za-z0-9_-]+)/.exec(m.text)?.[1] ?? [],
      );
      if (links.length === 2) link = links.at(-1);
      else await new Promise((r) => setTimeout(r, 250));
    }
    expect(link).toBeDefined();
    const context = await chrome.context(390, 844);
    const { page } = await chrome.newPage(context);
    await page.goto(link!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Open leads' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Stop all texts' }).click();
    await page
      .getByText('Stop all texts? You get no more leads, and this signs you out. Text START to come back.')
      .waitFor();
    await page.getByRole('button', { name: 'Yes, stop all texts' }).click();
    await page.waitForURL(/\/portal\/signed-out/);
    const detail = (await (await fetch(`${stack.url}/providers/${patId}`, { headers: ADMIN })).json()) as {
      provider: { optedOut: boolean };
    };
    expect(detail.provider.optedOut).toBe(true);
    // The session ended with it.
    await page.goto(`${stack.url}/portal/`);
    await page.getByRole('heading', { name: 'Sign in by text' }).waitFor();
    await context.close();
  }, 60_000);

  it('went through with no page error or failed answer on the phone', () => {
    expect(unexpected(problems, [/\/portal\/api\//])).toEqual([]);
    const figures = Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, v.map(Math.round)]));
    writeFileSync(path.resolve('test-results/portal-first-load.json'), JSON.stringify(figures, null, 2));
    console.log('portal first load (ms, navigation start to content, 1366 then 390):', figures);
  });
});
