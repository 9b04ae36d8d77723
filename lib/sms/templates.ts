// Every SMS the platform sends a provider: the shape each language module fills in
// (lib/sms/languages/). Each sending site picks the provider's wording with
// `templates(provider.language)`; the functions are pure.
import { languageModule } from './language';
import { smsSender } from './sender';
import type { TeaserLead } from './template-parts';

export { formatPrice } from './format-price';
export { gsmLookalikes, teaserText, type TeaserLead } from './template-parts';
export type { Language } from './language';

export type DetailsLead = {
  code: string;
  name: string;
  phone: string;
  email: string | null;
  category: string;
  zipCode: string;
  city: string | null;
  description: string;
  budget: string | null;
};

/** A lead at its price: what a teaser, a pay link or a charge asks. */
export type Priced = { code: string; priceCents: number; currency: string };
/** A payment given back: the amount Stripe took for the lead (the unlock's), not the lead's price. */
export type Refund = { code: string; amountCents: number; currency: string };
export type BudgetReason = 'weekly_cap' | 'daily_cap';

/**
 * One language's SMS. All GSM-7 and one segment for realistic inputs (the teaser for any input),
 * except the details, which may take several messages of up to 6 parts.
 */
export type Templates = {
  /** The offer: never the client's name, phone or email; one segment whatever the inputs. */
  teaserSms(lead: TeaserLead): string;
  payLinkSms(lead: Priced, url: string): string;
  /** The details as one text: contact first, then the full description and the budget. */
  detailsText(lead: DetailsLead): string;
  /** The details as messages (`(1/3) …` when long), each within TextMagic's 6 parts. */
  detailsSms(lead: DetailsLead): string[];
  unavailableSms(code: string): string;
  noOpenOffersSms(): string;
  /** Every code is listed, even if that takes a second segment: they need it to answer. */
  chooseOfferSms(codes: string[]): string;
  optedOutSms(): string;
  /** The opt-in confirmation (a provider added, or back with START): HELP's elements. */
  optedInSms(): string;
  /**
   * HELP, as CTIA and the 10DLC review ask: the brand, what the messages are, "Msg frequency
   * varies", "Msg&data rates may apply", the support contact, how to opt out.
   */
  helpSms(): string;
  refundedSms(refund: Refund): string;
  /** A purchase refused before any charge because it would pass a budget (lib/purchases/budget.ts). */
  budgetRefusedSms(code: string, reason: BudgetReason): string;
  /** A YES from a provider with a saved card and auto-pay on: the charge is under way. */
  chargingSms(lead: Priced): string;
  /** The saved card was refused (declined, needs authentication, removed): the link instead. */
  cardFailedSms(lead: Priced, url: string): string;
  autoPayOffSms(): string;
  autoPayOnSms(): string;
  /** The confirmation of a switch to this language, in it. */
  languageSms(): string;
  // Returns (`BAD <code> <reason>`, lib/returns/returns.ts).
  /** How to return a lead: a BAD without a code. */
  returnUsageSms(): string;
  returnOpenedSms(code: string): string;
  returnApprovedSms(refund: Refund): string;
  /** The operator's note (at most MAX_DECLINE_NOTE characters) ends it: 2 segments of plain GSM-7, 4 at most. */
  returnDeclinedSms(code: string, note: string): string;
  returnWindowClosedSms(code: string, days: number): string;
  returnAlreadySms(code: string): string;
  returnNotBoughtSms(code: string): string;
  // Erasure at the client's request (lib/privacy/).
  /** Paid, but the details had not gone out when the client's data was erased: the refund. */
  erasedRefundSms(refund: Refund): string;
  /** A buyer asking again for a lead whose details were erased. */
  detailsErasedSms(code: string): string;
  /** A message that may be an opt-out but may not (lib/sms/opt-out.ts): how to stop, for sure. */
  optOutCheckSms(): string;
  // The provider portal (ACCOUNT, lib/portal/link-request.ts).
  /** The one-time sign-in link, good for `minutes`; the URL last, whole. */
  portalLinkSms(url: string, minutes: number): string;
  /** ACCOUNT past the links' limit: a link went recently; a new one may be asked in `minutes`. */
  portalWaitSms(minutes: number): string;
};

/** The SMS in a provider's language (the default one for a code no module has). */
export function templates(language: string): Templates {
  return languageModule(language).sms(smsSender());
}
