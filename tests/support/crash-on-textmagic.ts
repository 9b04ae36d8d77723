/**
 * Preload (`node --import tsx --import ./tests/support/crash-on-textmagic.ts …`) for the crash
 * tests: the process is killed (SIGKILL, no clean-up, no finally) the moment it starts a request
 * to TextMagic, which our code only does after its transaction committed. Production code has
 * no hook for this: Node's own diagnostics channels announce every outgoing request, whether it
 * goes through node:http(s) or fetch (undici).
 */
import diagnostics from 'node:diagnostics_channel';

const target = new URL(process.env.TEXTMAGIC_API_URL ?? 'https://rest.textmagic.com/api/v2').host;
const die = () => process.kill(process.pid, 'SIGKILL');

diagnostics.subscribe('http.client.request.start', (message) => {
  const req = (message as { request: { host?: string; getHeader(name: string): unknown } }).request;
  if (String(req.getHeader('host') ?? req.host) === target) die();
});
diagnostics.subscribe('undici:request:create', (message) => {
  const req = (message as { request: { origin: string } }).request;
  if (new URL(req.origin).host === target) die();
});
