/**
 * The admin API's answers as the console receives them: the types the server's modules give
 * their answers (lib/leads, lib/providers, lib/reports, …), as JSON. Type-only imports: none of
 * that code reaches the console's bundle. No shape is written here (tests/unit/console-types.test.ts).
 */
import type { AuditPage } from '../lib/audit/audit-list';
import type { CategoryView } from '../lib/catalogue/categories';
import type { Json } from '../lib/http/json';
import type { LeadDetail as LeadDetailAnswer } from '../lib/leads/lead-view';
import type { LeadRow as LeadRowAnswer } from '../lib/leads/lead-list';
import type { SmsAdminView } from '../lib/messaging/sms-attention';
import type { eraseClient } from '../lib/privacy/erase-client';
import type { ProviderDetail as ProviderDetailAnswer } from '../lib/providers/provider-detail';
import type { ProviderView } from '../lib/providers/providers';
import type { PendingStripeTasks } from '../lib/purchases/stripe-follow-ups';
import type { IntegrationHealth as IntegrationHealthAnswer } from '../lib/reports/integration-health';
import type { Funnel as FunnelAnswer, StatsAnswer } from '../lib/reports/stats';
import type { ReturnPage } from '../lib/returns/return-list';
import type { SessionView } from '../lib/operators/account';
import type { createOperator, OperatorView } from '../lib/operators/operators';
import type { TeamSettings as TeamSettingsAnswer } from '../lib/operators/team';

export type { Language } from '../lib/sms/language';

export type Funnel = Json<FunnelAnswer>;
export type Revenue = Funnel['revenue'];
export type Stats = Json<StatsAnswer>;
export type LeadRow = Json<LeadRowAnswer>;
export type LeadDetail = Json<LeadDetailAnswer>;
export type LeadSms = LeadDetail['sms'][number];
export type LeadConsent = NonNullable<LeadDetail['consent']>;
export type TimelineEvent = NonNullable<LeadDetail['timeline']>[number];
export type Category = Json<CategoryView>;
export type Provider = Json<ProviderView>;
export type ProviderConsent = Provider['consent'];
export type ProviderDetail = Json<ProviderDetailAnswer>;
export type ProviderBudget = ProviderDetail['budget'];
export type ProviderTeaserHours = ProviderDetail['teaserHours'];
export type SmsRow = Json<SmsAdminView>;
export type StripeTask = Json<PendingStripeTasks>['tasks'][number];
export type IntegrationHealth = Json<IntegrationHealthAnswer>;
export type ReturnRow = Json<ReturnPage>['returns'][number];
/** `POST /privacy/erasures`'s answer. */
export type Erasure = Json<Awaited<ReturnType<typeof eraseClient>>>;
/** `GET /audit`'s answer. */
export type AuditEntries = Json<AuditPage>;
export type AuditEntry = AuditEntries['entries'][number];
/** `GET /admin/session`: who is signed in, their role, whether money actions are open to them. */
export type Session = Json<SessionView>;
export type Operator = Json<OperatorView>;
/** `POST /operators`'s answer: the id and the invite link. */
export type Invited = Json<Awaited<ReturnType<typeof createOperator>>>;
export type TeamSettings = Json<TeamSettingsAnswer>;
