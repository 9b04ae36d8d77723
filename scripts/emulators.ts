// `npm run emulators`: local stand-ins for Stripe and TextMagic on fixed loopback ports, the
// same fakes the tests use (emulators/). Point `npm start` at them to walk a lead through the
// whole flow.
import { startFakeStripe } from '../emulators/fake-stripe';
import { startFakeTextMagic } from '../emulators/fake-textmagic';

const apiPort = process.env.PORT ?? '3000';
const stripe = await startFakeStripe({
  port: Number(process.env.STRIPE_EMULATOR_PORT ?? 12111),
  secretKey: 'sk_test_local_emulator',
  webhookSecret: 'whsec_local_emulator',
  webhookUrl: `http://127.0.0.1:${apiPort}/stripe/webhook`,
});
const textmagic = await startFakeTextMagic({
  port: Number(process.env.TEXTMAGIC_EMULATOR_PORT ?? 12112),
  username: 'local',
  apiKey: 'local-textmagic-key',
  onSend: (sms) => console.log(`\n[textmagic] to ${sms.phones.join(', ')}:\n${sms.text}\n`),
});

console.log(`Stripe and TextMagic emulators are running. Start the API against them with:

  STRIPE_SECRET_KEY=${stripe.secretKey} \\
  STRIPE_WEBHOOK_SECRET=${stripe.webhookSecret} \\
  STRIPE_API_URL=${stripe.url} \\
  TEXTMAGIC_USERNAME=${textmagic.username} \\
  TEXTMAGIC_API_KEY=${textmagic.apiKey} \\
  TEXTMAGIC_API_URL=${textmagic.url} \\
  npm start

A pay link redirects to ${stripe.url}/pay/<session>; \`curl -X POST\` that URL (or press Pay in a
browser) to pay: the emulator signs checkout.session.completed and posts it to
http://127.0.0.1:${apiPort}/stripe/webhook. SMS sent through TextMagic are printed here.`);

const stop = async () => {
  await Promise.all([stripe.close(), textmagic.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
