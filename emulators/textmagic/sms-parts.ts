/** How many SMS parts a text takes, as TextMagic counts them. */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** SMS parts a text needs (GSM-7 with extension chars counting two, else UCS-2). */
export function smsParts(text: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** Whether a text goes as GSM-7 (else UCS-2, MessageOut.charset `UTF-16BE`). */
export const isGsm = (text: string): boolean =>
  [...text].every((ch) => GSM_BASIC.includes(ch) || GSM_EXTENDED.includes(ch));
