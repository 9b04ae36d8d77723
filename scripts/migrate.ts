// `npm run db:migrate`: applies the committed migrations to DATABASE_URL.
import './load-env';
import { runMigrations } from '../lib/db/migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set. `npm start` migrates its embedded database by itself.');
  process.exit(1);
}
await runMigrations(url);
console.log('migrations applied');
