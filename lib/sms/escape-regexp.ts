/** `text` matched literally inside a RegExp (Node 24's RegExp.escape, which Node 20 lacks). */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
