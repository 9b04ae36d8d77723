// `npm start`: the local stack (scripts/local-stack.ts) on http://localhost:3000 (PORT), with
// the operator console at /admin; with no Stripe or TextMagic credentials, the sandbox: local
// stand-ins for both, whose SMS show in the console's Phones page.
import './load-env';
import { startLocalStack } from './local-stack';

const port = Number(process.env.PORT || 3000);
// Ctrl-C while it starts stops what had started (serverless-offline runs in a process group of
// its own, out of reach of the terminal's signal).
const starting = new AbortController();
const early = () => starting.abort();
process.once('SIGINT', early);
process.once('SIGTERM', early);
const stack = await startLocalStack({
  port,
  signal: starting.signal,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  standInPorts: {
    stripe: Number(process.env.STRIPE_STANDIN_PORT || 12111),
    textmagic: Number(process.env.TEXTMAGIC_STANDIN_PORT || 12112),
  },
  onSms: (sms) =>
    console.log(`[textmagic stand-in] to ${sms.phones.length} phone(s): ${sms.text.length} characters`),
}).catch((e: unknown) => {
  if (starting.signal.aborted) process.exit(0);
  console.error(`npm start failed: ${(e as Error).message}`);
  process.exit(1);
});

const given = (name: string) => Boolean(process.env[name]?.trim());
console.log(`
Lead Unlock (local)
  console:    ${stack.url}/admin
  admin key:  ${given('ADMIN_API_KEY') ? '(from ADMIN_API_KEY)' : stack.keys.adminApiKey}   (sign-in; or Authorization: Bearer …)
  API:        ${stack.url}   lead key x-api-key: ${given('LEAD_API_KEY') ? '(from LEAD_API_KEY)' : stack.keys.leadApiKey}, SMS callbacks ?token=${given('INBOUND_SMS_TOKEN') ? '(from INBOUND_SMS_TOKEN)' : stack.keys.inboundSmsToken}
  database:   ${stack.database === 'external' ? 'DATABASE_URL' : `embedded Postgres, data in ${stack.database.embedded} (port ${stack.database.port})`}
  Stripe:     ${stack.stripe ? `local stand-in at ${stack.stripe.url} (no STRIPE_SECRET_KEY): pay on its checkout page, no card` : 'Stripe, with STRIPE_SECRET_KEY'}
  TextMagic:  ${stack.textmagic ? `local stand-in at ${stack.textmagic.url} (no TextMagic credentials): SMS show in the console's Phones` : 'TextMagic, with TEXTMAGIC_USERNAME / TEXTMAGIC_API_KEY'}
${stack.sandbox ? `  sandbox:    demo providers with \`npm run seed\` (or the console), then New inquiry\n` : ''}${
  given('SMS_BRAND_NAME') && given('SUPPORT_CONTACT')
    ? ''
    : `  warning:    SMS speak as "${process.env.SMS_BRAND_NAME?.trim() || 'Lead Unlock'}" with HELP naming ${process.env.SUPPORT_CONTACT?.trim() || 'PUBLIC_BASE_URL'}: set SMS_BRAND_NAME and SUPPORT_CONTACT (your registered 10DLC brand) before deploying; a deployed stage sends no SMS without them\n`
}
Ctrl-C stops it all.
`);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
}
void stack.exited.then((code) => {
  console.error(`serverless offline exited (code ${code})`);
  void stop(code || 1);
});
process.off('SIGINT', early);
process.off('SIGTERM', early);
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
