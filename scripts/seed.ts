// `npm run seed`: demo providers (sandbox/seed.ts) through the admin API of the server that
// `npm start` runs (PORT, 3000; SEED_API_URL for another). Running it again changes nothing.
import './load-env';
import { LOCAL_DEV_KEYS } from '../lib/config';
import { seedDemoProviders } from '../sandbox/seed';

const api = process.env.SEED_API_URL || `http://localhost:${process.env.PORT || 3000}`;
const adminKey = process.env.ADMIN_API_KEY || LOCAL_DEV_KEYS.adminApiKey;

try {
  const result = await seedDemoProviders(api, adminKey);
  for (const p of result.providers) {
    console.log(
      `${p.created ? 'created' : 'exists '}  ${p.name.padEnd(28)} ${p.phone}  ${p.categories.join(', ')} in ${p.zipCodes.join(', ')}`,
    );
  }
  console.log(
    `\n${result.created} created, ${result.existing} already there. Try a plumbing inquiry in 78701.`,
  );
} catch (e) {
  const cause = (e as { cause?: { code?: string } }).cause?.code;
  console.error(
    cause === 'ECONNREFUSED'
      ? `Nothing answers at ${api}: start it with \`npm start\` first.`
      : (e as Error).message,
  );
  process.exit(1);
}
