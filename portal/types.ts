/**
 * The portal API's answers as the pages receive them: the types the server's modules give their
 * answers (lib/portal/), as JSON. Type-only imports: none of that code reaches the portal's
 * bundle. No shape is written here (tests/unit/portal-types.test.ts).
 */
import type * as z from 'zod/mini';
import type { Json } from '../lib/http/json';
import type { portalAccountPatch } from '../lib/portal/account-input';
import type { portalAccount } from '../lib/portal/account';
import type { portalCompare } from '../lib/portal/compare';
import type { portalSpending } from '../lib/portal/spending';
import type { portalBuy, portalLeads } from '../lib/portal/leads';
import type { PortalReturnInput, portalOpenReturn, portalReturns } from '../lib/portal/returns';
import type { ReturnReason as Reason } from '../lib/sms/return-reason';

export type { Language } from '../lib/sms/language';

type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type Leads = Answer<typeof portalLeads>;
export type OpenOffer = Leads['open'][number];
export type Bought = Leads['bought'][number];
export type Client = NonNullable<Bought['client']>;
export type BuyAnswer = Answer<typeof portalBuy>;
export type Returns = Answer<typeof portalReturns>;
export type ReturnRow = Returns['returns'][number];
export type OpenedReturn = Answer<typeof portalOpenReturn>;
export type ReturnInput = PortalReturnInput;
export type ReturnReason = Reason;
export type Account = Answer<typeof portalAccount>;
/** What PATCH /portal/api/account takes (the weekly cap in the currency's main unit). */
export type AccountPatch = z.input<ReturnType<typeof portalAccountPatch>>;
export type Spending = Answer<typeof portalSpending>;
export type SpendingEntry = Spending['entries'][number];
export type Compare = Answer<typeof portalCompare>;
