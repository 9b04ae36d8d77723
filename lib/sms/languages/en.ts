// English, the default language: its SMS, pay pages, Checkout wording and reply words.
import { formatPrice } from '../format-price';
import { splitMessages } from '../segments';
import { detailsDescription, detailsLine, fitTeaser, sentence, type TeaserParts } from '../template-parts';
import type { DetailsLead, Priced, Refund, Templates } from '../templates';
import type { LanguageModule, Sender } from './language-module';

const price = (lead: Priced) => formatPrice(lead.priceCents, lead.currency);
const amount = (refund: Refund) => formatPrice(refund.amountCents, refund.currency);

function renderTeaser(p: TeaserParts, price: string, code: string): string {
  const area = [p.zip, p.city].filter(Boolean).join(' ');
  let head = p.category ? `New ${p.category} lead` : 'New lead';
  if (area) head += `, ${area}`;
  const parts = [p.description ? `${head}: ${sentence(p.description)}` : `${head}.`];
  if (p.budget) parts.push(`Budget: ${sentence(p.budget)}`);
  parts.push(`Price ${price}.`, `Reply YES ${code}`);
  return parts.join(' ');
}

function detailsText(lead: DetailsLead): string {
  const area = [lead.zipCode, lead.city ?? ''].map(detailsLine).filter(Boolean).join(' ');
  const lines = [
    `Lead ${lead.code} is yours.`,
    `Client: ${detailsLine(lead.name)}`,
    `Phone: ${detailsLine(lead.phone)}`,
  ];
  if (lead.email) lines.push(`Email: ${detailsLine(lead.email)}`);
  lines.push(`Job: ${detailsLine(lead.category)}, ${area}`);
  lines.push(detailsDescription(lead.description));
  if (lead.budget) lines.push(`Budget: ${detailsLine(lead.budget)}`);
  return lines.join('\n');
}

const noOpenOffersSms = () => `You have no open leads right now. We'll text you when a new one comes in.`;

const sms = ({ brand, support }: Sender): Templates => ({
  teaserSms: (lead) => fitTeaser(lead, renderTeaser),
  payLinkSms: (lead, url) =>
    `Lead ${lead.code}: pay ${price(lead)} to get the client's contact details: ${url}`,
  detailsText,
  detailsSms: (lead) => splitMessages(detailsText(lead)),
  unavailableSms: (code) => `Sorry, lead ${code} is no longer available.`,
  noOpenOffersSms,
  chooseOfferSms: (codes) =>
    codes[0] === undefined
      ? noOpenOffersSms()
      : `You have several open leads: ${codes.join(', ')}. Reply YES and the code of the one you want, e.g. YES ${codes[0]}`,
  optedOutSms: () => `${brand}: you're unsubscribed and will get no more messages. Reply START to resume.`,
  optedInSms: () =>
    `${brand} lead alerts: subscribed. Account: ACCOUNT. Msg frequency varies. Msg&data rates may apply. Help: ${support}. Reply STOP to cancel.`,
  helpSms: () =>
    `${brand} lead alerts. Buy: YES 4821. Account: ACCOUNT. Msg frequency varies. Msg&data rates may apply. Help: ${support}. Reply STOP to cancel.`,
  refundedSms: (refund) =>
    `Sorry, lead ${refund.code} sold out before your payment completed. Your ${amount(refund)} has been refunded.`,
  budgetRefusedSms: (code, reason) =>
    reason === 'weekly_cap'
      ? `${brand}: lead ${code} would take you over your weekly spending cap, so it can't be bought. Your cap resets Monday at midnight.`
      : `${brand}: you've reached your daily lead limit, so lead ${code} can't be bought today. Your limit resets at midnight.`,
  chargingSms: (lead) =>
    `Lead ${lead.code}: charging ${price(lead)} to your saved card. Once it goes through we text the client's details; if not, a pay link. AUTO OFF: pay by link.`,
  cardFailedSms: (lead, url) =>
    `Lead ${lead.code}: your saved card did not go through. Pay ${price(lead)} here to get the client's details: ${url}`,
  autoPayOffSms: () =>
    `${brand}: auto-pay is off. Reply YES and a code to get a pay link; your saved card is kept. Reply AUTO ON to charge it again.`,
  autoPayOnSms: () =>
    `${brand}: auto-pay is on. Leads you accept with YES are charged to your saved card (a payment by link saves one). Reply AUTO OFF to stop.`,
  languageSms: () =>
    `${brand}: your texts will come in English. Responda ESPANOL para recibirlos en español.`,
  returnUsageSms: () =>
    `${brand}: to return a lead you bought, reply BAD, its code and the reason, e.g. BAD 4821 wrong area`,
  returnOpenedSms: (code) =>
    `${brand}: we got your return of lead ${code}. We'll text you once it has been reviewed.`,
  returnApprovedSms: (refund) =>
    `${brand}: your return of lead ${refund.code} is approved. Your ${amount(refund)} is being refunded.`,
  returnDeclinedSms: (code, note) =>
    `${brand}: your return of lead ${code} was declined: ${detailsLine(note)}`,
  returnWindowClosedSms: (code, days) =>
    `${brand}: lead ${code} can no longer be returned: returns are taken within ${days} days of purchase.`,
  returnAlreadySms: (code) => `${brand}: lead ${code} has already been returned. One return per purchase.`,
  returnNotBoughtSms: (code) => `${brand}: you have not bought lead ${code}, so there is nothing to return.`,
  erasedRefundSms: (refund) =>
    `${brand}: lead ${refund.code} was withdrawn at the client's request before its details were sent. Your ${amount(refund)} is being refunded.`,
  detailsErasedSms: (code) =>
    `${brand}: the details of lead ${code} were removed at the client's request, so they can't be sent again.`,
  optOutCheckSms: () => `${brand}: to stop all texts from us, reply STOP.`,
  portalLinkSms: (url, minutes) => `${brand}: sign in to your account within ${minutes} min: ${url}`,
  portalWaitSms: (minutes) =>
    `${brand}: we sent you a sign-in link a few minutes ago. You can ask for a new one in ${minutes} min.`,
});

export const english: LanguageModule<'en'> = {
  code: 'en',
  name: 'English',
  sms,
  payPages: {
    owned: {
      title: 'This lead is yours',
      message: "You've already unlocked this lead. The client's contact details were sent to you by SMS.",
    },
    unavailable: {
      title: 'Lead no longer available',
      message: 'Sorry, this lead has sold out or expired. Watch for the next one by SMS.',
    },
    weekly_cap: {
      title: 'Weekly spending cap reached',
      message:
        'Buying this lead would take you over your weekly spending cap, so no payment was started. We sent you an SMS saying so.',
    },
    daily_cap: {
      title: 'Daily lead limit reached',
      message:
        "You've reached your daily lead limit, so no payment was started. We sent you an SMS saying so.",
    },
    not_found: {
      title: 'Link not found',
      message: 'This payment link does not exist. Check the link in your SMS.',
    },
    down: {
      title: 'Payment temporarily unavailable',
      message: 'We could not open the payment page just now. Please open the link again in a minute.',
    },
  },
  requestForm: {
    title: 'Request a service',
    intro: 'Tell us what you need: local pros who do this work will get in touch with you.',
    labels: {
      name: 'Your name',
      phone: 'Mobile phone',
      email: 'E-mail',
      category: 'Service',
      zipCode: 'ZIP code',
      description: 'What do you need done?',
    },
    optional: '(optional)',
    chooseService: 'Choose a service',
    submit: 'Send request',
    consent: (brand) =>
      `By pressing Send request, I agree that ${brand} and the local service providers it passes my request to may contact me about it by phone call or text message at the number above, including by automated means. Consent is not a condition of purchase. Message and data rates may apply.`,
    required: 'Please fill this in.',
    invalid: {
      name: 'Please enter your name (at most 200 characters).',
      phone: 'Please enter a valid phone number, such as (512) 555-0142.',
      email: 'Please enter a valid e-mail address, such as name@example.com.',
      category: 'Please choose a service from the list.',
      zipCode: 'Please enter a valid ZIP code, such as 78701.',
      description: 'Please describe the job in at most 2,000 characters.',
    },
    problems: {
      invalid: 'Some fields need your attention: see the messages beside them.',
      too_fast: 'That was quick! Please check your details and press Send request again.',
      stale: 'This form was open too long. Please check your details and press Send request again.',
      rate_limited: 'We have received several requests from you already. Please try again in an hour.',
      too_large: 'That request was too long to send. Please shorten the description.',
      already_sent: 'This form was already sent. Press Send request again to send a new request.',
      unavailable: 'We could not take your request just now. Please try again in a few minutes.',
    },
    thanks: {
      title: 'Thank you!',
      message: 'Your request was sent. Local pros who do this work will contact you soon.',
    },
    switchLabel: 'English',
  },
  portalPages: {
    signIn: {
      title: 'Sign in to your account',
      message: 'Press the button to open your account on this device. The link works once.',
      button: 'Sign in',
    },
    used: { title: 'This link was already used', message: 'Each sign-in link works once.' },
    expired: { title: 'This link has expired', message: 'Sign-in links work for 15 minutes.' },
    unknown: { title: 'Link not found', message: 'This sign-in link does not exist.' },
    signedOut: { title: 'Signed out', message: 'You are signed out of your account on this device.' },
    newLink: (number) =>
      number ? `Text ACCOUNT to ${number} for a new link.` : 'Text ACCOUNT to us for a new link.',
  },
  checkout: {
    locale: 'en',
    saveCardNotice:
      'Your card will be saved: later leads you accept by replying YES are charged to it at once. Reply AUTO OFF at any time to stop this and pay by link instead.',
  },
  keywords: {
    // Carriers' opt-out and opt-in words (CTIA), understood whatever the provider's language.
    yes: ['YES', 'Y', 'UNLOCK'],
    // The FCC's revocation rule (47 CFR 64.1200(a)(10), from 11 April 2025) names STOP, QUIT, END,
    // REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE among the words that always revoke consent.
    stop: [
      'STOP',
      'STOP ALL',
      'STOPALL',
      'UNSUBSCRIBE',
      'CANCEL',
      'END',
      'QUIT',
      'REVOKE',
      'OPT OUT',
      'OPTOUT',
    ],
    optOut: [
      // "stop texting me", "please stop sending these", "quit messaging me", "end all texts"
      /\b(stop|quit|cease|end|cancel|halt)\b( \w+){0,3} (text|texts|texting|txt|txts|txting|message|messages|messaging|msg|msgs|sms|sending|send|contacting|contact|alerts|leads)\b/,
      // "remove me from your list", "take me off", "unsubscribe me", "opt me out", "delete my number"
      /\b(remove|take|delete|unsubscribe|unsub|opt|erase|drop) (me|my number|my phone|this number)\b/,
      /\b(opt|opting|opted) ?out\b/,
      /\bunsubscribe\b/,
      // "no more texts", "no more messages please"
      /\bno more (text|texts|txt|txts|message|messages|msgs|sms|leads|alerts)\b/,
      // "don't text me", "do not contact me", "never message me again"
      /\b(do not|dont|don t|never) (text|txt|message|msg|contact|sms|send)\b/,
      /\bleave me alone\b/,
      /\b(not interested|wrong number|who is this stop)\b/,
      // The whole message a stop word, with words of emphasis: "stop please", "STOP NOW!!"
      /^(please |pls |just |ok |okay )*(stop|quit|end|cancel|unsubscribe|revoke)( (it|now|please|pls|all|this|that|them|everything|asap|thanks|thank you|already))*$/,
    ],
    mayStop: ['stop', 'stopped', 'stopping', 'quit', 'cancel', 'unsubscribe', 'revoke', 'remove'],
    start: ['START', 'UNSTOP', 'JOIN', 'SUBSCRIBE', 'RESUBSCRIBE', 'OPT IN'],
    help: ['HELP', 'INFO'],
    bad: ['BAD'],
    autoOff: ['AUTO OFF', 'AUTOPAY OFF'],
    autoOn: ['AUTO ON', 'AUTOPAY ON'],
    account: ['ACCOUNT'],
    switchTo: ['ENGLISH', 'INGLÉS'],
    returnReasons: {
      duplicate: ['duplicate', 'duplicated', 'dupe', 'dup', 'repeated'],
      bad_contact: [
        'contact',
        'phone',
        'number',
        'email',
        'e-mail',
        'mail',
        'fake',
        'unreachable',
        'disconnected',
        'tel',
      ],
      wrong_area: ['area', 'zip', 'zipcode', 'location', 'far', 'city'],
      wrong_service: ['service', 'category', 'job'],
    },
  },
};
