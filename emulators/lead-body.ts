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
