/**
 * Preload (`node --import tsx --import ./tests/support/crash-on-textmagic.ts …`) for the crash
 * tests: the process is killed (SIGKILL, no clean-up, no finally) the moment it first calls
 * TextMagic, which our code only does after its transaction committed. Production code has
 * no hook for this; only the global fetch of this one child process is wrapped.
 */
const target = new URL(process.env.TEXTMAGIC_API_URL ?? 'https://rest.textmagic.com/api/v2').host;
const realFetch = globalThis.fetch;

globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (new URL(url).host === target) {
    process.kill(process.pid, 'SIGKILL');
    return new Promise<Response>(() => {}); // the signal lands before anything else runs
  }
  return realFetch(input, init);
};
