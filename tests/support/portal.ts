/**
 * Signing a provider in to the portal the way ACCOUNT does (a link, then opening it), for the
 * tests of routes behind the portal session: the `Cookie` header the browser would then send.
 */
import { getDb } from '../../lib/db/client';
import { createLink, PORTAL_COOKIE, useLink } from '../../lib/portal/session';

export async function portalCookieFor(providerId: string): Promise<string> {
  const db = await getDb();
  const opened = await useLink(db, await createLink(db, providerId));
  if ('refused' in opened) throw new Error(`the portal link was refused: ${opened.refused}`);
  return `${PORTAL_COOKIE}=${opened.session}`;
}

/** The token of the portal sign-in link in an SMS body (`…/portal/s/<token>`). */
export function portalLinkToken(body: string): string {
  const match = /\/portal\/s\/([A-Za-z0-9_-]+)/.exec(body);
  if (!match) throw new Error(`no portal link in: ${body}`);
  return match[1]!;
}
