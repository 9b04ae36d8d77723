import type { ComponentChildren } from 'preact';
import { Link, useLocation } from 'wouter-preact';
import { BASE } from '../api';

const PAGES = [
  { href: '/', label: 'Leads' },
  { href: '/bought', label: 'Bought' },
  { href: '/returns', label: 'Returns' },
  { href: '/spending', label: 'Spending' },
  { href: '/settings', label: 'Settings' },
  { href: '/compare', label: 'Compare' },
];

/**
 * The pages' links (two short rows on a phone) and Sign out: a form posting to
 * /portal/sign-out, which ends the session on the server and lands on the signed-out page.
 */
export function Layout(props: { children: ComponentChildren }) {
  const [location] = useLocation();
  const current = (href: string) => (href === '/' ? location === '/' : location.startsWith(href));
  return (
    <>
      <header class="container top">
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.href}>
                <Link href={p.href} aria-current={current(p.href) ? 'page' : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
          <form method="post" action={`${BASE}/sign-out`} class="sign-out">
            <button type="submit" class="outline secondary">
              Sign out
            </button>
          </form>
        </nav>
      </header>
      <main class="container">{props.children}</main>
    </>
  );
}
