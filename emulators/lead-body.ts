import { randomInt, randomUUID } from 'node:crypto';

/**
 * A valid `POST /leads` body, for tests, the end-to-end run and the bench: its own module so that
 * those that talk HTTP need not load the handlers that the tests' flow helper drives.
 */
export const lead = (overrides: Record<string, unknown> = {}) => ({
  name: 'Jane Client',
  phone: '(512) 555-0142',
  email: 'jane.client@example.com',
  category: 'Plumbing',
  zipCode: '78701',
  city: 'Austin',
  description: 'Leaking kitchen sink, water under the cabinet. Need someone this week.',
  budget: '$500',
  ...overrides,
});

/**
 * A client's phone (a valid US number in E.164) and e-mail that no other lead is likely to share,
 * for benches that post many leads as different people: the same client again within
 * DUPLICATE_WINDOW_DAYS is a duplicate lead, offered only to providers not offered the first.
 */
export const distinctClient = () => ({
  phone: `+1512${randomInt(2, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
  email: `client-${randomUUID()}@example.com`,
});
