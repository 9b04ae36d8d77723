/**
 * The pages an operator works leads in (issue 25 §3), in Chromium over `serverless offline`:
 * Dashboard, Leads and a lead, at 1366×900 and 390×844 — their actions inside the window (measured),
 * no sideways scroll, no serious axe-core violation, a title naming the page —, a shared address
 * that opens the same filtered view, and a lead closed by keyboard (asked once, then said).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctClient, lead } from '../../emulators/lead-body';
import {
  expectActionsInView,
  expectUsablePage,
  LEAD_KEY,
  tabUntil,
  useOfflineBrowser,
  VIEWPORTS,
} from '../support/offline-browser';

const b = useOfflineBrowser();
/** Every action of these pages: buttons, and the row links of a table's action column. */
const ACTIONS = 'main button, main .row-actions a, main a[role="button"]';
const today = new Date().toISOString().slice(0, 10);
const ids = { open: '', toClose: '', closed: '', provider: '' };
const codes: Record<string, string> = {};

beforeAll(async () => {
  const p = await b.call('POST', '/providers', {
    name: 'Pat Plumber',
    phone: '(512) 555-0101',
    categories: ['plumbing'],
    zipCodes: ['78701'],
  });
  ids.provider = p.id;
  await b.call('POST', '/providers', {
    name: 'Sam Sparks',
    phone: '(512) 555-0102',
    categories: ['electrical'],
    zipCodes: ['78702'],
  });
  for (const name of ['open', 'toClose', 'closed'] as const) {
    const created = await b.call(
      'POST',
      '/leads',
      lead({
        ...distinctClient(),
        zipCode: '78701',
        description: 'A long description of a leak under the sink '.repeat(4),
      }),
      LEAD_KEY,
    );
    ids[name] = created.id;
    codes[name] = created.code;
  }
  await b.call('POST', `/leads/${ids.closed}/close`);
}, 120_000);

describe.each(VIEWPORTS)('at %i×%i', (width, height) => {
  it('Dashboard: the range, its funnel with conversions, breakdowns and exports fit the window', async () => {
    const { page, problems, close } = await b.open('/', { width, height, ready: 'range-leads' });
    await expect(page.getByTestId('range-leads').innerText()).resolves.toBe('3');
    await page.getByTestId('category-breakdown').waitFor();
    await expectActionsInView(page, ACTIONS);
    await expectUsablePage(page, problems, {
      title: /^Dashboard · /,
      screenshot: `features-dashboard-${width}`,
    });
    await close();
  });

  it('Leads: the rows and their Open links fit; on a phone the filters are folded under the heading', async () => {
    const { page, problems, close } = await b.open('/leads', { width, height, ready: 'lead-row' });
    await expect(page.getByTestId('lead-row').count()).resolves.toBe(3);
    const open = await page.getByTestId('leads-filters').evaluate((d) => (d as HTMLDetailsElement).open);
    expect(open).toBe(width > 640);
    if (width <= 640) {
      // The first lead is on the first screen, not below the filters.
      const top = await page
        .getByTestId('lead-row')
        .first()
        .evaluate((el) => el.getBoundingClientRect().top);
      expect(top).toBeLessThan(height);
    }
    await expectUsablePage(page, problems, { title: /^Leads · /, screenshot: `features-leads-${width}` });
    await expectActionsInView(page, ACTIONS);
    await close();
  });

  it('a lead: its actions, purchases and SMS (Delivery included) fit the window', async () => {
    const { page, problems, close } = await b.open(`/leads/${ids.open}`, {
      width,
      height,
      ready: 'lead-actions',
    });
    await page.getByTestId('lead-sms').waitFor();
    // The SMS table's last column is on screen, not cut.
    if (width > 640) {
      const right = await page
        .getByTestId('lead-sms')
        .locator('th', { hasText: 'Delivery' })
        .evaluate((el) => el.getBoundingClientRect().right);
      expect(right).toBeLessThanOrEqual(width);
    }
    await expectUsablePage(page, problems, {
      title: new RegExp(`^Lead ${codes.open} · `),
      screenshot: `features-lead-${width}`,
    });
    await expectActionsInView(page, ACTIONS);
    await close();
  });
});

describe('a shared address opens the same view', () => {
  it('Leads ?status=closed: only the closed lead, its filter shown as set', async () => {
    const { page, close } = await b.open('/leads?status=closed', { ready: 'lead-row' });
    await expect(page.getByTestId('lead-row').allInnerTexts()).resolves.toEqual([
      expect.stringContaining(codes.closed!),
    ]);
    await expect(page.locator('#leads-status').inputValue()).resolves.toBe('closed');
    await expect(page.getByTestId('leads-filters').locator('summary').innerText()).resolves.toBe(
      'Filters (1 set)',
    );
    await close();
  });

  it('Dashboard ?from=&to=&by=provider: that range, by provider, with CSV links for it', async () => {
    const { page, close } = await b.open(`/?from=${today}&to=${today}&by=provider`, { ready: 'range-leads' });
    const figures = page.getByTestId('period-range');
    await expect(figures.getAttribute('data-from')).resolves.toBe(today);
    await expect(figures.getAttribute('data-to')).resolves.toBe(today);
    await expect(page.getByRole('button', { name: 'Today' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
    const byProvider = page.getByTestId(`provider-${ids.provider}`);
    await expect(byProvider.innerText()).resolves.toContain('Pat Plumber');
    await expect(page.getByTestId('export-leads').getAttribute('href')).resolves.toBe(
      `/exports/leads?from=${today}&to=${today}`,
    );
    // The link downloads that range's leads, as the console's session may.
    const csv = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      `/exports/leads?from=${today}&to=${today}`,
    );
    expect(csv.split('\r\n')[0]).toMatch(/^id,code,created_at,status,/);
    expect(csv).toContain(codes.open);
    await close();
  });
});

describe('closing a lead by keyboard', () => {
  it('asks once, then closes it and says what happened; one request', async () => {
    const { page, problems, close } = await b.open(`/leads/${ids.toClose}`, { ready: 'close-lead' });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/close')) posts.push(r.url());
    });
    await tabUntil(page, page.getByTestId('close-lead'));
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('confirm');
    await confirm.waitFor();
    await expect(confirm.innerText()).resolves.toContain(`Close lead ${codes.toClose}?`);
    expect(posts).toEqual([]);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Close the lead');
    await page.keyboard.press('Enter');
    const notice = page.getByTestId('notice');
    await expect
      .poll(() => notice.innerText())
      .toBe(`Closed lead ${codes.toClose}: 0 open checkouts expired, 0 held teasers cancelled.`);
    await expect.poll(() => page.getByTestId('lead-status').innerText()).toBe('Closed');
    await page.getByTestId('lead-closed').waitFor();
    expect(posts).toHaveLength(1);
    await expect(page.getByTestId('close-lead').count()).resolves.toBe(0);
    await expectUsablePage(page, problems, {
      title: new RegExp(`^Lead ${codes.toClose} · `),
      screenshot: 'features-lead-closed-1366',
    });
    await close();
  });
});
