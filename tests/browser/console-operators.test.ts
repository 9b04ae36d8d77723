// Operators in the console (issue #25) in Chromium against the real `serverless offline` and this
// file's own database: an owner invites a staff member by keyboard and copies the link; the staff
// member opens it, sets a password, is in, and later signs in by e-mail (the admin key's form gone
// once an owner exists); a viewer gets no Operators page and a change refused with the reason. At
// 1366×900 and 390×844: no serious or critical axe-core violation, titles that name the page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../emulators/fake-stripe';
import { startFakeTextMagic, type FakeTextMagic } from '../../emulators/fake-textmagic';
import { fakeServicesEnv } from '../../emulators/fake-env';
import { seriousViolations } from '../support/accessibility';
import { operatorPage } from '../support/console-session';
import { newEmail } from '../support/operator-http';
import { launchBrowser, unexpected, type Problem, type TestBrowser } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { showServerOnFailure, startOffline, type Offline } from '../support/offline';

const ADMIN = { authorization: 'Bearer local-admin-key', 'content-type': 'application/json' };
const NO_SANDBOX = [/\/sandbox\//];
const SIZES: Array<[number, number]> = [
  [1366, 900],
  [390, 844],
];

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
  const res = await fetch(`${offline.url}/categories`, {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ slug: 'plumbing', name: 'Plumbing', synonyms: [], priceCents: 1500 }),
  });
  expect(res.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await offline?.stop();
  await Promise.all([stripe?.close(), textmagic?.close()]);
}, 30_000);

/** Tabs from where the focus is until the element named `name` (its label or text) has it. */
async function tabTo(page: Page, name: string | RegExp) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const label = el?.closest('label')?.textContent?.trim();
      return el?.getAttribute('aria-label') ?? label ?? el?.textContent?.trim() ?? '';
    });
    if (typeof name === 'string' ? focused.startsWith(name) : name.test(focused)) return;
  }
  throw new Error(`no Tab reaches "${String(name)}"`);
}

/** The page's title, once the page has set it. */
async function titled(page: Page, title: string) {
  await page.waitForFunction((t) => document.title === t, title, { timeout: 10_000 });
}

async function expectAccessible(page: Page, what: string) {
  expect(await seriousViolations(page), what).toEqual([]);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what}: sideways scrolling`).toBeLessThanOrEqual(page.viewportSize()!.width);
}

const navLabels = (page: Page) =>
  page.locator('nav[aria-label="Pages"] a').evaluateAll((as) => as.map((a) => a.textContent?.trim()));

function expectClean(problems: Problem[], allowed: RegExp[] = []) {
  expect(unexpected(problems, [...NO_SANDBOX, ...allowed])).toEqual([]);
}

describe.each(SIZES)('operators at %i×%i', (width, height) => {
  it('an owner invites a staff member by keyboard; they set a password from the link, are in, and sign in by e-mail later', async () => {
    showServerOnFailure(offline);
    const owner = await operatorPage(chrome, offline.url, 'owner', width, height);
    const { page } = owner;
    await page.goto(`${offline.url}/admin/operators`);
    await page.getByTestId('operators-table').waitFor({ timeout: 30_000 });
    await titled(page, 'Operators · Lead Unlock console');
    expect(await navLabels(page)).toEqual(expect.arrayContaining(['Operators', 'My account']));
    await expectAccessible(page, 'Operators');

    // By keyboard: open the invite form, fill it, submit with Enter.
    const email = newEmail('staffer');
    await tabTo(page, 'Invite an operator');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Name');
    await page.keyboard.type('Sam Staff');
    await tabTo(page, 'E-mail');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    const linkBox = page.getByRole('textbox', { name: 'Invite link for Sam Staff' });
    await linkBox.waitFor();
    const inviteUrl = await linkBox.inputValue();
    expect(inviteUrl).toMatch(new RegExp(`^${offline.url}/admin/invite#[\\w-]{43}$`));
    await expect
      .poll(() => page.getByTestId('invite-link').innerText(), { timeout: 10_000 })
      .toMatch(/No e-mail is sent/);
    await expect
      .poll(() => page.getByTestId(`operator-${email}`).innerText(), { timeout: 10_000 })
      .toMatch(/Invited/);
    await expectAccessible(page, 'Operators, with an invite link');

    // The staff member, in a browser of their own.
    const theirs = await chrome.context(width, height);
    const { page: staff, problems } = await chrome.newPage(theirs);
    await staff.goto(inviteUrl);
    await staff.getByLabel('New password').waitFor();
    await titled(staff, 'Set your password · Lead Unlock console');
    await expectAccessible(staff, 'Invite');
    await staff.getByLabel('New password').fill('short');
    await staff.getByLabel('The same again').fill('short');
    await staff.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect
      .poll(() => staff.getByTestId('invite-error').innerText(), { timeout: 10_000 })
      .toMatch(/at least 12 characters/);
    const password = 'a long staff passphrase';
    await staff.getByLabel('New password').fill(password);
    await staff.getByLabel('The same again').fill(password);
    await staff.getByLabel('The same again').press('Enter');
    await staff.waitForURL(`${offline.url}/admin/`);
    await staff
      .locator('nav[aria-label="Pages"] a', { hasText: 'My account' })
      .waitFor({ state: 'attached' });
    const labels = await navLabels(staff);
    expect(labels).toContain('My account');
    expect(labels).not.toContain('Operators');
    // The spent link is out of the address bar.
    expect(staff.url()).not.toContain('#');

    // Their account page, then signing out, then in by e-mail: no admin key form now.
    await staff.goto(`${offline.url}/admin/account`);
    await expect.poll(() => staff.getByTestId('my-role').innerText(), { timeout: 10_000 }).toBe('staff');
    await titled(staff, 'My account · Lead Unlock console');
    await expectAccessible(staff, 'My account');
    await staff.getByRole('button', { name: 'Sign out' }).last().click();
    await staff.waitForURL(/\/admin\/sign-in/);
    await titled(staff, 'Sign in · Lead Unlock console');
    await staff.getByLabel('E-mail').fill(email);
    await staff.getByLabel('Password').fill('not the password');
    await staff.getByLabel('Password').press('Enter');
    await expect
      .poll(() => staff.getByTestId('sign-in-error').innerText(), { timeout: 10_000 })
      .toBe('Wrong e-mail or password');
    await expectAccessible(staff, 'Sign in, with an error');
    expect(await staff.getByTestId('key-sign-in').count()).toBe(0);
    await staff.getByLabel('Password').fill(password);
    await staff.getByLabel('Password').press('Enter');
    // Back where they signed out from.
    await staff.waitForURL(`${offline.url}/admin/account`);

    // The owner sees them active, and can sign them out everywhere.
    await page.reload();
    const row = page.getByTestId(`operator-${email}`);
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toMatch(/Active/);
    await row.getByRole('button', { name: 'Sign out everywhere: Sam Staff' }).click();
    await expect
      .poll(() => page.getByTestId('operators-status').innerText(), { timeout: 10_000 })
      .toMatch(/Sam Staff is signed out \(1 session ended\)/);
    await staff.goto(`${offline.url}/admin/leads`);
    await staff.waitForURL(/\/admin\/sign-in/);

    // Deactivating asks once, then says what happened.
    await row.getByRole('button', { name: 'Deactivate Sam Staff' }).click();
    await row.getByRole('button', { name: 'Yes, deactivate' }).click();
    await expect
      .poll(() => page.getByTestId('operators-status').innerText(), { timeout: 10_000 })
      .toBe('Sam Staff is deactivated and signed out everywhere.');
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toMatch(/Deactivated/);
    expectClean(owner.problems);
    expectClean(problems, [/\/admin\/session$/, /\/admin\/sign-in$/, /\/admin\/leads|\/leads\?/]);
    await Promise.all([owner.context.close(), theirs.close()]);
  }, 120_000);

  it('a viewer: no Operators in the menu, the page says who may, and a change is refused with the reason', async () => {
    const { context, page, problems } = await operatorPage(chrome, offline.url, 'viewer', width, height);
    await page.goto(`${offline.url}/admin/catalogue`);
    await page.getByTestId('categories-table').waitFor({ timeout: 30_000 });
    expect(await navLabels(page)).not.toContain('Operators');
    await page.getByRole('button', { name: 'Deactivate Plumbing' }).click();
    await page.getByText('This needs the owner role (you are viewer)').waitFor();
    await page.goto(`${offline.url}/admin/operators`);
    await page.getByText('Only owners manage the team').waitFor();
    await titled(page, 'Operators · Lead Unlock console');
    await expectAccessible(page, 'Operators, as a viewer');
    expectClean(problems, [/\/categories\/plumbing$/]);
    await context.close();
  }, 60_000);
});

describe('sign-in before any owner', () => {
  it('shows the admin key form only while no owner exists', async () => {
    // This file's owners set aside for a moment: the key form comes back.
    await db.query(`update operators set role = 'staff' where role = 'owner'`);
    try {
      const context = await chrome.context(1366, 900);
      const { page } = await chrome.newPage(context);
      await page.goto(`${offline.url}/admin/sign-in`);
      await page.getByTestId('key-sign-in').waitFor();
      await expectAccessible(page, 'Sign in with the key form');
      await context.close();
    } finally {
      await db.query(`update operators set role = 'owner' where email like 'owner-%'`);
    }
  }, 60_000);
});
