/**
 * A category as typed, reduced to what identifies it: case, accents, spaces and punctuation go
 * ("HVAC", "heating & cooling", "A/C repair", "Plomería" -> hvac, heatingcooling, acrepair,
 * plomeria). A slug (lowercase letters, digits, hyphens) folds to itself without its hyphens, as
 * the migration that made the first catalogue (`categories`) assumes for ASCII text.
 */
export function foldCategory(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Lowercase letters and digits in words joined by single hyphens: `hvac`, `pest-control`. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
