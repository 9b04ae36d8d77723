// The languages a provider can get their SMS in (`providers.language`), from the registry
// (lib/sms/languages/index.ts): their codes, the default, and each one's module.
import { LANGUAGES } from './languages';
import type { LanguageModule } from './languages/language-module';

export { LANGUAGES };
export type { LanguageModule, PayPage } from './languages/language-module';

export type Language = (typeof LANGUAGES)[number]['code'];
/** A provider's language until they or an operator choose one (also the column's default). */
export const DEFAULT_LANGUAGE: Language = 'en';
/** Every registered code: the admin API takes one of these. */
export const LANGUAGE_CODES = LANGUAGES.map((l) => l.code) as [Language, ...Language[]];

const BY_CODE = new Map<string, LanguageModule>(LANGUAGES.map((l) => [l.code, l]));

/**
 * The module of a provider's language. A code no module has (a row written by hand, or a language
 * whose module was removed) reads in the default language rather than failing.
 */
export function languageModule(code: string): LanguageModule {
  return BY_CODE.get(code) ?? BY_CODE.get(DEFAULT_LANGUAGE)!;
}
