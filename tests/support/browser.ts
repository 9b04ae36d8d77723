/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work
 * here), headless, in a fresh profile per launch (Playwright makes a new temporary
 * --user-data-dir for `launch`, and each context starts empty), recording on every page what a
 * test must see none of: console errors, uncaught page errors, Content-Security-Policy
 * violations (`securitypolicyviolation` events), dialogs (an `alert` from markup that should
 * have been text), and answers of 400 or more.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Problem = {
  kind: 'console' | 'pageerror' | 'csp' | 'dialog' | 'response';
  text: string;
  /** The resource concerned (a console line's source, a failed answer's URL). */
  url?: string;
};

export type TestBrowser = {
  browser: Browser;
  /** A new, empty context (no cookies) with a window `width` by `height` px (900 unless told). */
  context(width?: number, height?: number): Promise<BrowserContext>;
  /** A page of `context` and what goes wrong on it. */
  newPage(context: BrowserContext): Promise<{ page: Page; problems: Problem[] }>;
  close(): Promise<void>;
};

/**
 * The problems not excused by `allowed` (URL patterns of answers a test expects to fail, and the
 * browser's console line about them). CSP violations, page errors and dialogs are never excused.
 */
export function unexpected(problems: Problem[], allowed: RegExp[] = []): Problem[] {
  return problems.filter(
    (p) =>
      !(
        (p.kind === 'response' || (p.kind === 'console' && p.text.startsWith('Failed to load resource'))) &&
        allowed.some((r) => r.test(p.url ?? ''))
      ),
  );
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const byPage = new WeakMap<Page, Problem[]>();
  return {
    browser,
    async context(width = 1280, height = 900) {
      const context = await browser.newContext({ viewport: { width, height } });
      await context.exposeBinding('__luCspViolation', (source, text: string) => {
        byPage.get(source.page)?.push({ kind: 'csp', text });
      });
      // Runs before any page script, through the DevTools protocol (not subject to the page's CSP).
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const w = window as unknown as { __luCspViolation(t: string): Promise<void> };
          void w.__luCspViolation(
            `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
          );
        });
      });
      return context;
    },
    async newPage(context) {
      const page = await context.newPage();
      const problems: Problem[] = [];
      byPage.set(page, problems);
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
      });
      page.on('pageerror', (e) => problems.push({ kind: 'pageerror', text: e.message }));
      page.on('dialog', (d) => {
        problems.push({ kind: 'dialog', text: `${d.type()}: ${d.message()}` });
        void d.dismiss();
      });
      page.on('response', (r) => {
        if (r.status() >= 400)
          problems.push({ kind: 'response', text: `${r.status()} ${r.url()}`, url: r.url() });
      });
      return { page, problems };
    },
    close: () => browser.close(),
  };
}
