import { config } from './config';
import { writeLine } from './log';

/** The business counts an operator watches, each a CloudWatch metric in the `LeadUnlock` namespace. */
export type BusinessMetric =
  | 'LeadsCreated'
  | 'LeadsAged'
  | 'TeasersSent'
  | 'YesReplies'
  | 'CheckoutsOpened'
  | 'PurchasesRefused'
  | 'Unlocks'
  | 'Refunds'
  | 'SavedCardCharges'
  | 'SmsFailed'
  | 'FormBlocked'
  | 'OldestDueOutboxAgeSeconds';

export const METRICS_NAMESPACE = 'LeadUnlock';
const SERVICE = 'lead-unlock';

/**
 * One business event: a log line with its ids (one grep follows a lead) that is also a metric
 * in CloudWatch's Embedded Metric Format, which Lambda's log pipeline turns into metrics with no
 * API call. Written by our logger rather than Powertools Metrics: this is all of EMF we use, and
 * it costs a cold start nothing (Powertools' figures are in docs/performance.md).
 *
 * Dimensions `service` and `stage` (STAGE, set by the deploy): stages in one account write
 * separate metrics, and each stage's alarms (serverless.yml) filter on its own.
 */
export function businessEvent(
  message: string,
  metrics: Partial<Record<BusinessMetric, number>>,
  ids: Record<string, unknown> = {},
): void {
  const names = Object.keys(metrics) as BusinessMetric[];
  writeLine('info', message, ids, {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service', 'stage']],
          Metrics: names.map((Name) => ({ Name, Unit: Name.endsWith('Seconds') ? 'Seconds' : 'Count' })),
        },
      ],
    },
    service: SERVICE,
    stage: config().stage,
    ...metrics,
  });
}
