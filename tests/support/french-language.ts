// A third language for tests/integration/third-language.test.ts, written as a real one would be:
// one module of the shape lib/sms/languages/language-module.ts, nothing else. Its SMS keep to
// GSM-7 (é, è, à, ù are in it; ç, ê, â, î, ô, û are not), like the Spanish ones.
import { formatPrice } from '../../lib/sms/format-price';
import type { LanguageModule, Sender } from '../../lib/sms/languages/language-module';
import { splitMessages } from '../../lib/sms/segments';
import {
  detailsDescription,
  detailsLine,
  fitTeaser,
  sentence,
  type TeaserParts,
} from '../../lib/sms/template-parts';
import type { DetailsLead, Priced, Refund, Templates } from '../../lib/sms/templates';

const price = (lead: Priced) => formatPrice(lead.priceCents, lead.currency);
const amount = (refund: Refund) => formatPrice(refund.amountCents, refund.currency);

function renderTeaser(p: TeaserParts, price: string, code: string): string {
  const area = [p.zip, p.city].filter(Boolean).join(' ');
  let head = p.category ? `Nouveau lead ${p.category}` : 'Nouveau lead';
  if (area) head += `, ${area}`;
  const parts = [p.description ? `${head}: ${sentence(p.description)}` : `${head}.`];
  if (p.budget) parts.push(`Budget: ${sentence(p.budget)}`);
  parts.push(`Prix ${price}.`, `Repondez OUI ${code}`);
  return parts.join(' ');
}

function detailsText(lead: DetailsLead): string {
  const area = [lead.zipCode, lead.city ?? ''].map(detailsLine).filter(Boolean).join(' ');
  const lines = [`Le lead ${lead.code} est à vous.`, `Client: ${detailsLine(lead.name)}`];
  lines.push(`Tel: ${detailsLine(lead.phone)}`);
  if (lead.email) lines.push(`Email: ${detailsLine(lead.email)}`);
  lines.push(`Travail: ${detailsLine(lead.category)}, ${area}`, detailsDescription(lead.description));
  if (lead.budget) lines.push(`Budget: ${detailsLine(lead.budget)}`);
  return lines.join('\n');
}

const noOpenOffersSms = () => `Vous n'avez aucun lead ouvert. Nous vous écrirons au prochain.`;

const sms = ({ brand, support }: Sender): Templates => ({
  teaserSms: (lead) => fitTeaser(lead, renderTeaser),
  payLinkSms: (lead, url) =>
    `Lead ${lead.code}: payez ${price(lead)} pour recevoir le contact du client: ${url}`,
  detailsText,
  detailsSms: (lead) => splitMessages(detailsText(lead)),
  unavailableSms: (code) => `Désolé, le lead ${code} n'est plus disponible.`,
  noOpenOffersSms,
  chooseOfferSms: (codes) =>
    codes[0] === undefined
      ? noOpenOffersSms()
      : `Plusieurs leads ouverts: ${codes.join(', ')}. Repondez OUI et le code.`,
  optedOutSms: () => `${brand}: vous etes désinscrit. Repondez START pour revenir.`,
  optedInSms: () =>
    `${brand} alertes de leads: inscrit. Compte: COMPTE. Frequence variable. Frais SMS possibles. Aide: ${support}. STOP pour arreter.`,
  helpSms: () =>
    `${brand} alertes de leads. Achat: OUI 4821. Compte: COMPTE. Frequence variable. Frais SMS possibles. Aide: ${support}. STOP pour arreter.`,
  refundedSms: (refund) =>
    `Désolé, le lead ${refund.code} est épuisé. Vos ${amount(refund)} sont remboursés.`,
  budgetRefusedSms: (code) => `${brand}: le lead ${code} dépasse votre plafond.`,
  chargingSms: (lead) =>
    `Lead ${lead.code}: ${price(lead)} débités de votre carte. AUTO OFF: payer par lien.`,
  cardFailedSms: (lead, url) =>
    `Lead ${lead.code}: votre carte a été refusée. Payez ${price(lead)} ici: ${url}`,
  autoPayOffSms: () => `${brand}: paiement auto désactivé. AUTO ON pour le réactiver.`,
  autoPayOnSms: () => `${brand}: paiement auto activé. AUTO OFF pour l'arreter.`,
  languageSms: () => `${brand}: nous vous écrirons en francais. Reply ENGLISH for English.`,
  returnUsageSms: () =>
    `${brand}: pour retourner un lead, repondez MAUVAIS, son code et la raison (ex. MAUVAIS 4821 mauvaise zone).`,
  returnOpenedSms: (code) => `${brand}: retour du lead ${code} recu.`,
  returnApprovedSms: (refund) =>
    `${brand}: retour du lead ${refund.code} accepté. ${amount(refund)} remboursés.`,
  returnDeclinedSms: (code, note) => `${brand}: retour du lead ${code} refusé: ${detailsLine(note)}`,
  returnWindowClosedSms: (code, days) => `${brand}: le lead ${code} ne se retourne plus (${days} jours).`,
  returnAlreadySms: (code) => `${brand}: le lead ${code} est déjà retourné.`,
  returnNotBoughtSms: (code) => `${brand}: vous n'avez pas acheté le lead ${code}.`,
  erasedRefundSms: (refund) =>
    `${brand}: le lead ${refund.code} a été retiré à la demande du client. ${amount(refund)} rembourse.`,
  detailsErasedSms: (code) =>
    `${brand}: les coordonnées du lead ${code} ont été effacées à la demande du client.`,
  optOutCheckSms: () => `${brand}: pour ne plus recevoir nos messages, repondez STOP.`,
  portalLinkSms: (url, minutes) => `${brand}: votre compte, lien valable ${minutes} min: ${url}`,
  portalWaitSms: (minutes) => `${brand}: lien déjà envoyé. Redemandez dans ${minutes} min.`,
});

export const french: LanguageModule<'fr'> = {
  code: 'fr',
  name: 'French',
  sms,
  payPages: {
    owned: {
      title: 'Ce lead est à vous',
      message: 'Vous avez déjà acheté ce lead : le contact vous a été envoyé par SMS.',
    },
    unavailable: { title: 'Lead indisponible', message: 'Désolé, ce lead est épuisé ou expiré.' },
    weekly_cap: { title: 'Plafond hebdomadaire atteint', message: 'Aucun paiement n’a été lancé.' },
    daily_cap: { title: 'Plafond quotidien atteint', message: 'Aucun paiement n’a été lancé.' },
    not_found: { title: 'Lien introuvable', message: 'Ce lien de paiement n’existe pas.' },
    down: { title: 'Paiement indisponible', message: 'Rouvrez le lien dans une minute.' },
  },
  portalPages: {
    signIn: {
      title: 'Votre compte',
      message: 'Appuyez sur le bouton pour vous connecter.',
      button: 'Connexion',
    },
    used: { title: 'Lien déjà utilisé', message: 'Chaque lien sert une fois.' },
    expired: { title: 'Lien expiré', message: 'Les liens valent 15 minutes.' },
    unknown: { title: 'Lien introuvable', message: 'Ce lien de connexion n’existe pas.' },
    signedOut: { title: 'Déconnecté', message: 'Vous êtes déconnecté sur cet appareil.' },
    newLink: (number) => `Envoyez COMPTE${number ? ` au ${number}` : ''} pour un nouveau lien.`,
  },
  checkout: {
    locale: 'fr',
    saveCardNotice: 'Votre carte sera enregistrée : les prochains leads acceptés par OUI y seront débités.',
  },
  keywords: {
    yes: ['OUI'],
    stop: ['ARRÊT'],
    help: ['AIDE'],
    bad: ['MAUVAIS'],
    account: ['COMPTE'],
    switchTo: ['FRANÇAIS', 'FRENCH'],
    returnReasons: {
      duplicate: ['doublon'],
      bad_contact: ['numéro', 'téléphone', 'faux', 'injoignable'],
      wrong_area: ['zone', 'loin', 'code postal'],
      wrong_service: ['métier'],
    },
  },
};
