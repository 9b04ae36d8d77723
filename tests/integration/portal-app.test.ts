/**
 * The portal's pages as function portalPages serves them: the SPA's shell for every page path
 * (naming our SMS number for the signed-out page), its hashed assets cached for good, and the
 * security headers a page people sign in to needs (no inline script, never framed, the referrer
 * kept on our origin so Sign out's form POST carries our Origin).
 */
import { describe, expect, it } from 'vitest';
import { handler as portalPages } from '../../functions/portal-pages';
import { invoke, type Reply } from '../../emulators/events';
import { useApp } from '../support/app';

const OUR_NUMBER = '+15125550100';
useApp({ env: { TEXTMAGIC_FROM_NUMBER: OUR_NUMBER } });

const get = (path: string) =>
  invoke(portalPages, {
    method: 'GET',
    path,
    pathParams: path === '/portal' ? undefined : { proxy: path.slice('/portal/'.length) },
  });

function expectPageHeaders(res: Reply) {
  const csp = res.headers['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('same-origin');
}

describe('the portal pages', () => {
  it('every page path gets the shell: the portal app only, no inline script, our number', async () => {
    for (const path of ['/portal', '/portal/bought', '/portal/settings']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expectPageHeaders(res);
      expect(res.text).toContain('<meta name="generator" content="lead-unlock-portal">');
      expect(res.text).not.toContain('lead-unlock-console');
      expect(res.text).toContain(`<meta name="lu-sms-number" content="${OUR_NUMBER}">`);
      // Every script is a file of ours: none inline.
      expect(res.text.match(/<script[^>]*>/g)).toEqual([
        expect.stringMatching(/^<script type="module" src="\/portal\/assets\/main-\w+\.js">$/),
      ]);
    }
  });

  it('serves the hashed assets the shell names, for a year; an unknown one or API path is a 404', async () => {
    const shell = (await get('/portal')).text;
    const files = [...shell.matchAll(/(?:src|href)="\/portal\/assets\/([^"]+)"/g)].map((m) => m[1]!);
    expect(files.map((f) => f.replace(/-\w+\./, '.')).sort()).toEqual(['main.css', 'main.js']);
    for (const file of files) {
      const res = await get(`/portal/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(file.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expectPageHeaders(res);
    }
    const js = (await get(`/portal/assets/${files.find((f) => f.endsWith('.js'))!}`)).text;
    // The portal's own code, not the console's (no charts, no admin routes).
    expect(js.includes('Open leads'), 'the Leads page').toBe(true);
    expect(js.includes('/admin/session'), "the console's calls").toBe(false);
    expect(js.includes('Chart'), 'Chart.js').toBe(false);

    for (const path of [
      '/portal/assets/main-XXXX.js',
      '/portal/assets/',
      '/portal/api/nope',
      '/portal/api',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((res.json as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
