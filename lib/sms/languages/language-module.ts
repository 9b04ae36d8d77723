// What one language brings: everything a provider reads or types in it. A language is one module
// of this shape (en.ts, es.ts) and one line of the registry (index.ts); nothing else names it.
import type Stripe from 'stripe';
import type { ReturnReason } from '../return-reason';
import type { BudgetReason, Templates } from '../templates';

/** The pages a pay link answers with when it does not open Checkout. */
export type PayPage = 'owned' | 'unavailable' | BudgetReason | 'not_found' | 'down';

/**
 * The words of a reply, as people write them ("SÍ", "STOP ALL"): matched in any case, without
 * spaces, punctuation or accents (lib/sms/parse-reply.ts). Every registered language's words are
 * understood from every provider, whatever their language (a Spanish speaker's STOP opts them out).
 */
export type Keywords = {
  /** Buys a lead: the word, then its code (`YES 4821`), or alone. */
  yes?: string[];
  stop?: string[];
  start?: string[];
  help?: string[];
  /** Returns a lead: `BAD <code> <reason>`; matched as written, any case (the reason follows). */
  bad?: string[];
  autoOff?: string[];
  autoOn?: string[];
  /** Asks for a one-time sign-in link to the provider portal (`ACCOUNT`, lib/portal/link-request.ts). */
  account?: string[];
  /**
   * Opt-outs in the provider's own words (lib/sms/opt-out.ts), as patterns over the message folded
   * to lower-case ASCII words separated by single spaces ("No más mensajes!" is `no mas mensajes`):
   * `optOut` are plain wishes to stop; `mayStop` are words that, in a message no pattern reads as
   * one, may still be one ("can you stop by?"): that message gets how to stop, and changes nothing.
   */
  optOut?: RegExp[];
  mayStop?: string[];
  /** Switch their SMS to this language: its own name for it, and its name in other languages. */
  switchTo: string[];
  /**
   * The words of a return's reason that say why (`BAD 4821 wrong area`), as whole words or
   * phrases, any case, accents optional (lib/sms/return-reason.ts); a reason no word names is `other`.
   */
  returnReasons?: Partial<Record<Exclude<ReturnReason, 'other'>, string[]>>;
};

/**
 * Who the SMS speak as: the operator's registered brand (SMS_BRAND_NAME) and the support contact
 * HELP names (SUPPORT_CONTACT), both in the 10DLC campaign the carriers reviewed.
 */
export type Sender = { brand: string; support: string };

/** The fields of the hosted inquiry form, named as `POST /leads` names them. */
export type FormField = 'name' | 'phone' | 'email' | 'category' | 'zipCode' | 'description';

/** Why the hosted form was sent back without a lead (lib/intake/form-page.ts). */
export type FormProblem =
  'invalid' | 'too_fast' | 'stale' | 'rate_limited' | 'too_large' | 'already_sent' | 'unavailable';

/** The hosted inquiry form's wording (`GET /request?lang=`), for clients rather than providers. */
export type RequestFormText = {
  title: string;
  intro: string;
  labels: Record<FormField, string>;
  /** After an optional field's label. */
  optional: string;
  /** The service list's empty first choice. */
  chooseService: string;
  submit: string;
  /** What the client agrees to by sending, when CONSENT_TEXT is not set. */
  consent: (brand: string) => string;
  /** A field left empty, and each field filled in wrong. */
  required: string;
  invalid: Record<FormField, string>;
  /** The message above the form, by what went wrong. */
  problems: Record<FormProblem, string>;
  thanks: { title: string; message: string };
  /** The link to this form in this language, written in it ("Español"). */
  switchLabel: string;
};

/**
 * The provider portal's sign-in pages in this language (lib/portal/sign-in-pages.ts): the page a
 * one-time link opens (a button, so that a link previewer's GET uses nothing), the pages of a link
 * that starts no session, and the page after signing out. Plain text.
 */
export type PortalPagesText = {
  signIn: { title: string; message: string; button: string };
  used: { title: string; message: string };
  expired: { title: string; message: string };
  unknown: { title: string; message: string };
  signedOut: { title: string; message: string };
  /** How to get a new link: the ACCOUNT word of this language, to our number when it is configured. */
  newLink: (number: string | undefined) => string;
};

export type LanguageModule<Code extends string = string> = {
  /** What `providers.language` and the admin API hold (ISO 639-1). */
  code: Code;
  /** Its name in English: the console's, and, lower-cased, the outcome of a switch to it ("spanish"). */
  name: string;
  /** Every SMS, in this language, speaking as the operator's brand (lib/sms/sender.ts). */
  sms: (sender: Sender) => Templates;
  payPages: Record<PayPage, { title: string; message: string }>;
  /** The hosted inquiry form in this language; without it the form is offered in English only. */
  requestForm?: RequestFormText;
  portalPages: PortalPagesText;
  /** Stripe Checkout's page language, and the notice it shows when it saves the card. */
  checkout: { locale: Stripe.Checkout.SessionCreateParams.Locale; saveCardNotice: string };
  keywords: Keywords;
};
