import { getDb } from '../db/client';
import { AppError } from '../errors';
import { requireAdmin, type AdminCaller } from '../http/auth';
import type { AuditedRoute } from '../http/handler';
import type { Access } from '../operators/access';
import type { HttpRequest } from '../http/request';
import type { HttpResponse } from '../http/response';
import type { AuditAction } from '../http/routes';
import { requestId } from '../lambda-context';
import { log } from '../log';
import { beginEntry, dropEntry, finishEntry } from './audit-entries';

/**
 * What a change route answers, and what its entry records: the changed object's id (when the
 * path does not name it, or names it otherwise), the amount of a money action, and `changed:
 * false` for a request that found nothing to change (a repeated erasure, a retry already made).
 */
export type Change = {
  response: HttpResponse;
  objectId?: string;
  amountCents?: number;
  changed?: boolean;
};

/**
 * A path parameter as an entry's object id before the change runs: ids, slugs and source names
 * only; anything else (a mistyped path: it is refused, and its entry dropped) is not kept.
 */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const pathObjectId = (req: HttpRequest): string | undefined =>
  Object.values(req.pathParams).find((v) => SAFE_ID.test(v));

/**
 * An admin change route, recorded in the audit trail (docs/audit.md). After the admin check at
 * `access` (lib/operators/access.ts: the route's level in lib/http/routes.ts), the
 * entry is written `pending` (its own statement, committed) before `change` runs, and completed
 * once it returned: so a change that took effect always has its entry, whatever fails after it
 * (the database cut during its COMMIT, or before the completion): such an entry stays `pending`,
 * meaning the change may have taken effect. A refusal (4xx: bad input, not found, conflict)
 * changed nothing and drops its entry; a server error leaves it `pending`, as it cannot tell
 * whether the change committed before the error. Two statements more per change request.
 */
export function audited<A extends AuditAction>(
  action: A,
  access: Access,
  change: (req: HttpRequest, caller: AdminCaller) => Promise<Change>,
): AuditedRoute<A> {
  const route = async (req: HttpRequest): Promise<HttpResponse> => {
    const caller = await requireAdmin(req, access);
    const db = await getDb();
    const id = await beginEntry(db, {
      actor: caller.actor,
      sessionId: caller.sessionId,
      action,
      route: `${req.method} ${req.route}`,
      objectId: pathObjectId(req),
      requestId: requestId(),
    });
    let done: Change;
    try {
      done = await change(req, caller);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        await dropEntry(db, id).catch((e: unknown) =>
          log.warn('audit entry of a refusal kept', failure(id, e)),
        );
      }
      throw err;
    }
    // The change took effect: its answer goes out even when the completion cannot be written.
    await finishEntry(db, id, { ...done, changed: done.changed ?? true }).catch((e: unknown) =>
      log.warn('audit entry left pending', failure(id, e)),
    );
    return done.response;
  };
  return Object.assign(route, { audit: action });
}

const failure = (auditId: string, err: unknown) => ({
  auditId,
  error: err instanceof Error ? err.message : String(err),
});
