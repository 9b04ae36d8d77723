// Spanish: its SMS, pay pages, Checkout wording and reply words. GSM-7 has é, ñ, ü, ¿ and ¡ but
// not á, í, ó or ú (lib/sms/segments.ts): one of those would make a text UCS-2 (70 units a
// segment instead of 160), so the SMS wording avoids them ("SI", "clave", "tope", "enlace")
// rather than misspell a word; é and ñ are kept. (The pages, not SMS, keep every accent.)
import { formatPrice } from '../format-price';
import { splitMessages } from '../segments';
import { detailsDescription, detailsLine, fitTeaser, sentence, type TeaserParts } from '../template-parts';
import type { DetailsLead, Priced, Refund, Templates } from '../templates';
import type { LanguageModule, Sender } from './language-module';

const price = (lead: Priced) => formatPrice(lead.priceCents, lead.currency);
const amount = (refund: Refund) => formatPrice(refund.amountCents, refund.currency);

function renderTeaser(p: TeaserParts, price: string, code: string): string {
  const area = [p.zip, p.city].filter(Boolean).join(' ');
  let head = p.category ? `Nuevo lead de ${p.category}` : 'Nuevo lead';
  if (area) head += `, ${area}`;
  const parts = [p.description ? `${head}: ${sentence(p.description)}` : `${head}.`];
  if (p.budget) parts.push(`Presupuesto: ${sentence(p.budget)}`);
  parts.push(`Precio ${price}.`, `Responda SI ${code}`);
  return parts.join(' ');
}

function detailsText(lead: DetailsLead): string {
  const area = [lead.zipCode, lead.city ?? ''].map(detailsLine).filter(Boolean).join(' ');
  const lines = [
    `El lead ${lead.code} es suyo.`,
    `Cliente: ${detailsLine(lead.name)}`,
    `Tel: ${detailsLine(lead.phone)}`,
  ];
  if (lead.email) lines.push(`Email: ${detailsLine(lead.email)}`);
  lines.push(`Trabajo: ${detailsLine(lead.category)}, ${area}`);
  lines.push(detailsDescription(lead.description));
  if (lead.budget) lines.push(`Presupuesto: ${detailsLine(lead.budget)}`);
  return lines.join('\n');
}

const noOpenOffersSms = () => `No tiene leads abiertos ahora. Le escribiremos cuando llegue uno nuevo.`;

const sms = ({ brand, support }: Sender): Templates => ({
  teaserSms: (lead) => fitTeaser(lead, renderTeaser),
  payLinkSms: (lead, url) =>
    `Lead ${lead.code}: pague ${price(lead)} para recibir los datos del cliente: ${url}`,
  detailsText,
  detailsSms: (lead) => splitMessages(detailsText(lead)),
  unavailableSms: (code) => `Lo sentimos, el lead ${code} ya no se ofrece.`,
  noOpenOffersSms,
  chooseOfferSms: (codes) =>
    codes[0] === undefined
      ? noOpenOffersSms()
      : `Tiene varios leads abiertos: ${codes.join(', ')}. Responda SI y la clave del que quiera, p. ej. SI ${codes[0]}`,
  optedOutSms: () => `${brand}: baja confirmada, ya no le enviaremos mensajes. Responda START para volver.`,
  optedInSms: () =>
    `${brand} alertas de leads activadas. Cuenta: CUENTA. Frecuencia variable. Msj y datos pueden tener costo. Ayuda: ${support}. STOP cancela.`,
  helpSms: () =>
    `${brand} alertas de leads. SI 4821 compra. Cuenta: CUENTA. Frecuencia variable. Msj y datos pueden tener costo. Ayuda: ${support}. STOP cancela.`,
  refundedSms: (refund) =>
    `Lo sentimos, el lead ${refund.code} se ha agotado antes de completar su pago. Le hemos devuelto ${amount(refund)}.`,
  budgetRefusedSms: (code, reason) =>
    reason === 'weekly_cap'
      ? `${brand}: el lead ${code} supera su tope semanal de gasto y no se puede comprar. El tope se renueva el lunes a medianoche.`
      : `${brand}: ha llegado a su tope diario de leads y el lead ${code} no se puede comprar hoy. El tope se renueva a medianoche.`,
  chargingSms: (lead) =>
    `Lead ${lead.code}: cobrando ${price(lead)} a su tarjeta guardada. Si se aprueba le enviamos los datos del cliente; si no, un enlace de pago. AUTO OFF: pagar con enlace.`,
  cardFailedSms: (lead, url) =>
    `Lead ${lead.code}: su tarjeta guardada fue rechazada. Pague ${price(lead)} para recibir los datos del cliente: ${url}`,
  autoPayOffSms: () =>
    `${brand}: auto-pago apagado. Responda SI y una clave para recibir un enlace de pago; su tarjeta se guarda. AUTO ON para volver a cobrarla.`,
  autoPayOnSms: () =>
    `${brand}: auto-pago encendido. Los leads que acepte con SI se cobran a su tarjeta guardada (un pago por enlace guarda una). AUTO OFF para apagarlo.`,
  languageSms: () => `${brand}: le escribiremos en español. Reply ENGLISH for English.`,
  // "Reclamo", not "devolución": ó is not GSM-7 (see the top of this file).
  returnUsageSms: () =>
    `${brand}: para reclamar un lead comprado, responda MALO, su clave y el motivo, p. ej. MALO 4821 zona equivocada`,
  returnOpenedSms: (code) =>
    `${brand}: hemos recibido su reclamo del lead ${code}. Le escribiremos cuando lo hayamos revisado.`,
  returnApprovedSms: (refund) =>
    `${brand}: su reclamo del lead ${refund.code} ha sido aceptado. Le devolvemos ${amount(refund)}.`,
  returnDeclinedSms: (code, note) =>
    `${brand}: su reclamo del lead ${code} no ha sido aceptado: ${detailsLine(note)}`,
  returnWindowClosedSms: (code, days) =>
    `${brand}: el plazo para reclamar el lead ${code} ha vencido (${days} d desde la compra).`,
  returnAlreadySms: (code) => `${brand}: el lead ${code} ya fue reclamado. Un reclamo por compra.`,
  returnNotBoughtSms: (code) => `${brand}: usted no ha comprado el lead ${code}, no hay nada que reclamar.`,
  erasedRefundSms: (refund) =>
    `${brand}: el lead ${refund.code} fue retirado a peticion del cliente antes de enviarle sus datos. Le devolvemos ${amount(refund)}.`,
  detailsErasedSms: (code) =>
    `${brand}: los datos del lead ${code} fueron borrados a peticion del cliente y no se pueden enviar de nuevo.`,
  optOutCheckSms: () => `${brand}: para no recibir mas mensajes nuestros, responda STOP.`,
  portalLinkSms: (url, minutes) => `${brand}: entre a su cuenta con este enlace (${minutes} min): ${url}`,
  portalWaitSms: (minutes) =>
    `${brand}: le enviamos un enlace de acceso hace unos minutos. Puede pedir otro en ${minutes} min.`,
});

export const spanish: LanguageModule<'es'> = {
  code: 'es',
  name: 'Spanish',
  sms,
  payPages: {
    owned: {
      title: 'Este lead ya es suyo',
      message: 'Ya compró este lead. Le enviamos los datos de contacto del cliente por SMS.',
    },
    unavailable: {
      title: 'Lead no disponible',
      message: 'Lo sentimos, este lead se agotó o venció. Esté atento al próximo por SMS.',
    },
    weekly_cap: {
      title: 'Tope semanal de gasto alcanzado',
      message:
        'Comprar este lead superaría su tope semanal de gasto, así que no se inició ningún pago. Le enviamos un SMS para avisarle.',
    },
    daily_cap: {
      title: 'Tope diario de leads alcanzado',
      message:
        'Ha llegado a su tope diario de leads, así que no se inició ningún pago. Le enviamos un SMS para avisarle.',
    },
    not_found: {
      title: 'Enlace no encontrado',
      message: 'Este enlace de pago no existe. Revise el enlace en su SMS.',
    },
    down: {
      title: 'Pago no disponible por ahora',
      message: 'No pudimos abrir la página de pago en este momento. Vuelva a abrir el enlace en un minuto.',
    },
  },
  requestForm: {
    title: 'Solicite un servicio',
    intro:
      'Cuéntenos qué necesita: profesionales de su zona que hacen este trabajo se pondrán en contacto con usted.',
    labels: {
      name: 'Su nombre',
      phone: 'Teléfono móvil',
      email: 'Correo electrónico',
      category: 'Servicio',
      zipCode: 'Código postal',
      description: '¿Qué necesita?',
    },
    optional: '(opcional)',
    chooseService: 'Elija un servicio',
    submit: 'Enviar solicitud',
    consent: (brand) =>
      `Al pulsar Enviar solicitud, acepto que ${brand} y los profesionales de servicios locales a quienes pase mi solicitud me contacten sobre ella por llamada o mensaje de texto al número indicado, incluso por medios automatizados. El consentimiento no es condición de compra. Pueden aplicarse tarifas de mensajes y datos.`,
    required: 'Complete este campo, por favor.',
    invalid: {
      name: 'Escriba su nombre (200 caracteres como máximo).',
      phone: 'Escriba un número de teléfono válido, como (512) 555-0142.',
      email: 'Escriba un correo electrónico válido, como nombre@ejemplo.com.',
      category: 'Elija un servicio de la lista.',
      zipCode: 'Escriba un código postal válido, como 78701.',
      description: 'Describa el trabajo en 2.000 caracteres como máximo.',
    },
    problems: {
      invalid: 'Algunos campos necesitan su atención: vea los mensajes junto a ellos.',
      too_fast: '¡Qué rapidez! Revise sus datos y pulse Enviar solicitud otra vez.',
      stale:
        'Este formulario estuvo abierto demasiado tiempo. Revise sus datos y pulse Enviar solicitud otra vez.',
      rate_limited: 'Ya recibimos varias solicitudes suyas. Inténtelo de nuevo dentro de una hora.',
      too_large: 'La solicitud era demasiado larga. Acorte la descripción, por favor.',
      already_sent: 'Este formulario ya se envió. Pulse Enviar solicitud otra vez para enviar una nueva.',
      unavailable: 'No pudimos recibir su solicitud ahora. Inténtelo de nuevo en unos minutos.',
    },
    thanks: {
      title: '¡Gracias!',
      message:
        'Su solicitud fue enviada. Profesionales de su zona que hacen este trabajo le contactarán pronto.',
    },
    switchLabel: 'Español',
  },
  portalPages: {
    signIn: {
      title: 'Entre a su cuenta',
      message: 'Pulse el botón para abrir su cuenta en este dispositivo. El enlace sirve una sola vez.',
      button: 'Entrar',
    },
    used: { title: 'Este enlace ya se usó', message: 'Cada enlace de acceso sirve una sola vez.' },
    expired: { title: 'Este enlace venció', message: 'Los enlaces de acceso sirven durante 15 minutos.' },
    unknown: { title: 'Enlace no encontrado', message: 'Este enlace de acceso no existe.' },
    signedOut: { title: 'Sesión cerrada', message: 'Cerró la sesión de su cuenta en este dispositivo.' },
    newLink: (number) =>
      number
        ? `Envíe CUENTA al ${number} para recibir un enlace nuevo.`
        : 'Envíenos CUENTA por SMS para recibir un enlace nuevo.',
  },
  checkout: {
    locale: 'es',
    saveCardNotice:
      'Su tarjeta quedará guardada: los próximos leads que acepte respondiendo SI se cobrarán a ella al instante. Responda AUTO OFF cuando quiera para dejar de hacerlo y pagar con enlace.',
  },
  keywords: {
    yes: ['SÍ'],
    stop: ['PARAR', 'CANCELAR', 'ALTO', 'BAJA', 'DETENER', 'DESUSCRIBIR'],
    optOut: [
      // "no más mensajes", "no mas textos por favor"
      /\bno (mas|quiero mas) (mensajes|mensaje|textos|texto|sms|leads|alertas)\b/,
      // "no me manden más", "no me envíen nada", "no me escriban"
      /\bno me (manden|mande|mandes|envien|envie|envies|escriban|escriba|escribas|contacten|contacte|llamen|textees)\b/,
      // "baja", "darme de baja", "quiero la baja", "denme de baja"
      /\b(de )?baja\b/,
      // "quítenme de la lista", "bórrenme", "elimínenme", "sáquenme"
      /\b(quitenme|quitame|quiteme|borrenme|borrame|borreme|eliminenme|eliminame|elimineme|sacame|saquenme|saqueme)\b/,
      // "ya no quiero recibir mensajes", "no quiero mensajes"
      /\bno quiero (recibir|mas|mensajes|textos|sms|leads)\b/,
      // "dejen de enviarme", "deja de escribirme"
      /\bdej(a|en|e|ar) de (enviar|mandar|escribir|contactar|textear)/,
      /^(por favor )?(parar|alto|para|paren|basta|cancelar|detener|stop)( (ya|por favor|gracias|todo))*$/,
    ],
    mayStop: ['parar', 'paren', 'alto', 'cancelar', 'cancela', 'basta', 'detener', 'quitar'],
    help: ['AYUDA'],
    bad: ['MALO', 'MALA'],
    account: ['CUENTA'],
    switchTo: ['ESPAÑOL', 'SPANISH'],
    returnReasons: {
      duplicate: ['duplicado', 'duplicada', 'repetido', 'repetida'],
      bad_contact: ['contacto', 'teléfono', 'número', 'correo', 'falso', 'falsa', 'no contesta'],
      wrong_area: ['zona', 'código postal', 'ubicación', 'lejos', 'ciudad'],
      wrong_service: ['servicio', 'categoría', 'trabajo'],
    },
  },
};
