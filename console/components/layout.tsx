import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { api, toSignIn } from '../api';
import { SessionContext } from '../session';
import type { Session } from '../types';
import { useSandbox } from '../sandbox/available';
import { Loading } from './bits';
import { NoticeRegion } from './notice';

const PAGES = [
  { href: '/', label: 'Dashboard' },
  { href: '/leads', label: 'Leads' },
  { href: '/providers', label: 'Providers' },
  { href: '/catalogue', label: 'Catalogue' },
  { href: '/returns', label: 'Returns' },
  { href: '/attention', label: 'Attention' },
  { href: '/forms', label: 'Forms' },
];
const SANDBOX_PAGES = [
  { href: '/phones', label: 'Phones' },
  { href: '/inquiry', label: 'New inquiry' },
];

/** What the browser's tab and history name the console by, after the page's own name. */
export const APP_TITLE = 'Lead Unlock console';

/**
 * The page's `<title>`: `Returns · Lead Unlock console`. Every page calls it with its name (a
 * lead's or provider's page with what it shows), so that a tab, the history and a screen
 * reader's announcement of the new page say which page it is.
 */
export function useTitle(page: string | undefined): void {
  useEffect(() => {
    document.title = page ? `${page} · ${APP_TITLE}` : APP_TITLE;
  }, [page]);
}

/** The nav (a menu that folds on a phone), the live region where actions say what they did, and the page. */
export function Layout(props: { children: ComponentChildren }) {
  const [location] = useLocation();
  const [open, setOpen] = useState(false);
  const sandbox = useSandbox();
  // Signed in, and as whom? Asked on every page change (a role changed by an owner shows at the
  // next one); a 401 sends the operator to the sign-in page (api.ts). The pages wait for the first
  // answer, so a signed-out browser asks the API for nothing else.
  const [session, setSession] = useState<Session>();
  useEffect(
    () =>
      void api<Session>('/admin/session').then(
        (s) => setSession(s),
        () => undefined,
      ),
    [location],
  );
  // `SANDBOX &&` first: in the deployed build the sandbox pages' names go too.
  const pages = [
    ...(SANDBOX && sandbox ? [...PAGES, ...SANDBOX_PAGES] : PAGES),
    // Owners manage the team and read the audit trail; an operator has their own account (the
    // admin key has none).
    ...(session?.role === 'owner'
      ? [
          { href: '/audit', label: 'Audit' },
          { href: '/operators', label: 'Operators' },
        ]
      : []),
    ...(session?.operator ? [{ href: '/account', label: 'My account' }] : []),
  ];
  const current = (href: string) => (href === '/' ? location === '/' : location.startsWith(href));
  const signOut = async () => {
    await api('/admin/sign-out', { method: 'POST' }).catch(() => undefined);
    toSignIn();
  };
  return (
    <>
      <header class="container-fluid top">
        <nav>
          <ul>
            <li>
              <strong>Lead Unlock</strong>
            </li>
          </ul>
          <ul>
            <li class="menu-toggle">
              <button
                type="button"
                class="outline secondary"
                aria-expanded={open}
                onClick={() => setOpen(!open)}
              >
                Menu
              </button>
            </li>
          </ul>
        </nav>
        <nav class={open ? 'pages open' : 'pages'} aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.href}>
                <Link
                  href={p.href}
                  aria-current={current(p.href) ? 'page' : undefined}
                  onClick={() => setOpen(false)}
                >
                  {p.label}
                </Link>
              </li>
            ))}
            <li>
              <button type="button" class="outline secondary sign-out" onClick={() => void signOut()}>
                Sign out
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main class="container">
        <NoticeRegion page={location}>
          {session ? (
            <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>
          ) : (
            <Loading />
          )}
        </NoticeRegion>
      </main>
    </>
  );
}
