/**
 * A value built on first use, then kept: for what a function's cold start should not pay for
 * unless a request needs it. Marked free of side effects, so that esbuild drops a
 * `lazy(...)` nobody in the bundle calls, and with it whatever only its builder uses.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/**
 * A regular expression compiled on first use, not at import. V8 checks a Unicode regex literal
 * (\p{…}, /u) while it parses the module, a few milliseconds of every cold start even in
 * functions that never run it. Write the pattern as String.raw.
 */
/* @__NO_SIDE_EFFECTS__ */
export function lazyRegExp(source: string, flags: string): () => RegExp {
  return lazy(() => new RegExp(source, flags));
}
