import { log } from './log';

/**
 * Builds a function's clients while Lambda initialises its container, before the first request:
 * `httpFunction` and `scheduledFunction`, awaited at each functions/*.ts's top level, call this, so
 * a cold start pays for the configuration,
 * the pool and query builder (and the Stripe SDK client) in the init phase, and the first
 * request finds them ready. Nothing connects here; the pool connects on its first query.
 *
 * Init never fails: a failed init would fail every request of the container, with no response
 * of ours. A client that cannot be built (configuration missing or invalid) is left for the
 * request to meet again and answer as it does without this (503, 500).
 */
export async function initClients(...builders: Array<() => unknown>): Promise<void> {
  for (const build of builders) {
    try {
      await build();
    } catch (err) {
      log.debug('init: a client was not built; the first request will try again', { err });
    }
  }
}
