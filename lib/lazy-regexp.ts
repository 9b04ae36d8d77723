/**
 * A regular expression compiled on first use, not at import. V8 checks a Unicode regex literal
 * (\p{…}, /u) while it parses the module, a few milliseconds of every cold start (Issue 4) even
 * in functions that never run it. Write the pattern as String.raw.
 */
export function lazyRegExp(source: string, flags: string): () => RegExp {
  let re: RegExp | undefined;
  return () => (re ??= new RegExp(source, flags));
}
