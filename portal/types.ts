/**
 * The portal API's answers as the pages receive them: the types the server's modules give their
 * answers (lib/portal/), as JSON. Type-only imports: none of that code reaches the portal's
 * bundle. No shape is written here (tests/unit/portal-types.test.ts).
 */
import type { Json } from '../lib/http/json';
import type { portalBuy, portalLeads } from '../lib/portal/leads';
import type { PortalReturnInput, portalOpenReturn, portalReturns } from '../lib/portal/returns';
import type { ReturnReason as Reason } from '../lib/sms/return-reason';

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
