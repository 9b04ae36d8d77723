// Every test starts from an environment that names no real service and logs nothing.
process.env.LOG_LEVEL ??= 'silent';
for (const key of [
  'DATABASE_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_API_URL',
  'TEXTMAGIC_USERNAME',
  'TEXTMAGIC_API_KEY',
  'TEXTMAGIC_API_URL',
  'IS_OFFLINE',
]) {
  delete process.env[key];
}
