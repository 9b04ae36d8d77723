import { sql } from 'drizzle-orm';
import { config } from '../config';
import { rows, type Database } from '../db/client';
import { secretProblems } from '../secrets';
import { probeStripe } from '../stripe';
import { probeTextMagic } from '../textmagic';

export type IntegrationCheck = { ok: boolean; checkedAt: string; latencyMs: number; error?: string };

/** How long a check's answer is reused by this container: a dashboard refreshing costs no call. */
const CACHE_MS = 60_000;
/** Stripe's check within this (or STRIPE_TIMEOUT_MS if shorter): both checks fit in the 10 s timeout. */
const STRIPE_CHECK_TIMEOUT_MS = 5_000;

type Cached = { at: number; check: Promise<IntegrationCheck> };
const cache = new Map<'stripe' | 'textmagic', Cached>();

/** Forget the cached checks (tests, which change the configuration). */
export function resetIntegrationChecks(): void {
  cache.clear();
}

async function timed(probe: () => Promise<string | undefined>): Promise<IntegrationCheck> {
  const checkedAt = new Date().toISOString();
  const started = performance.now();
  const error = await probe().catch(() => 'check failed');
  const latencyMs = Math.round(performance.now() - started);
  return error === undefined
    ? { ok: true, checkedAt, latencyMs }
    : { ok: false, checkedAt, latencyMs, error };
}

/** One check per service at a time and per minute; concurrent requests share the one in flight. */
function cached(name: 'stripe' | 'textmagic', probe: () => Promise<string | undefined>) {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.check;
  const check = timed(probe);
  cache.set(name, { at: Date.now(), check });
  return check;
}

type Queues = {
  due: number;
  oldest_due_age_seconds: number | null;
  dispatcher_last_run_at: string | Date | null;
  dispatcher_age_seconds: number | null;
  stripe_pending: number;
  stripe_oldest_age_seconds: number | null;
};

const whole = (n: number | null) => (n === null ? null : Math.max(0, Math.round(Number(n))));

/**
 * `GET /health/integrations`: Stripe and TextMagic each reached with the configured keys (a
 * cheap authenticated read, cached for a minute, never a key in the answer), the SMS outbox's
 * due rows and the oldest one's wait, the dispatcher's last run (its heartbeat), and the
 * Stripe follow-ups not done yet (queued or failed) with the oldest one's age; in a deployed stage,
 * `secrets` names those of this function that could not be read from SSM, and why.
 */
export async function integrationHealth(db: Database) {
  const stripeTimeout = Math.min(config().stripe.timeoutMs, STRIPE_CHECK_TIMEOUT_MS);
  const [stripe, textmagic, queueRows] = await Promise.all([
    cached('stripe', () => probeStripe(stripeTimeout)),
    cached('textmagic', probeTextMagic),
    rows<Queues>(
      db,
      'integration_health',
      sql`
        select d.due, d.oldest_due_age_seconds,
          h.last_run_at as dispatcher_last_run_at,
          extract(epoch from now() - h.last_run_at)::float8 as dispatcher_age_seconds,
          t.stripe_pending, t.stripe_oldest_age_seconds
        from (select count(*)::int as due,
                extract(epoch from now() - min(next_attempt_at))::float8 as oldest_due_age_seconds
              from sms_messages where status = 'queued' and next_attempt_at <= now()) d
          cross join (select count(*)::int as stripe_pending,
                extract(epoch from now() - min(created_at))::float8 as stripe_oldest_age_seconds
              from stripe_tasks where status in ('queued', 'failed')) t
          left join heartbeats h on h.name = 'sms-dispatcher'`,
    ),
  ]);
  const q = queueRows[0]!;
  const problems = secretProblems();
  return {
    stripe,
    textmagic,
    outbox: { due: q.due, oldestDueAgeSeconds: whole(q.oldest_due_age_seconds) },
    dispatcher: {
      lastRunAt: q.dispatcher_last_run_at === null ? null : new Date(q.dispatcher_last_run_at).toISOString(),
      ageSeconds: whole(q.dispatcher_age_seconds),
    },
    stripeFollowUps: { pending: q.stripe_pending, oldestAgeSeconds: whole(q.stripe_oldest_age_seconds) },
    ...(Object.keys(problems).length > 0 && { secrets: problems }),
  };
}

/** `GET /health/integrations`'s answer. */
export type IntegrationHealth = Awaited<ReturnType<typeof integrationHealth>>;
