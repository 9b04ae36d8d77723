// The registry: every language a provider can get their SMS in, one module each (the shape of
// language-module.ts). A new language is its module and one line here; lib/sms/language.ts
// derives the rest (the codes the admin API takes, the lookup), and the database keeps no list.
import { english } from './en';
import { spanish } from './es';

export const LANGUAGES = [english, spanish] as const;
