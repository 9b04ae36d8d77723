/** Database statements (round trips) per request type on a warm pool, and TextMagic requests. */
import { call, counted, PROVIDER_PHONE, type BenchApp } from './bench-app';

/**
 * Statements per request. `savingCard`: a provider's first payment also writes its save_card
 * follow-up (claimed), stores the card Stripe names and marks it done. `charging`: a YES's charge
 * reads its offer and lead, reserves the budget (a transaction: the provider's lock, then the read
 * of their spend in a statement of its own so that it sees what the lock waited for) and marks it
 * done. The dispatcher's base includes its heartbeat (GET /health/integrations) and the look-up
 * of leads whose aged price is due (lib/leads/age-leads.ts).
 */
export const ROUND_TRIP_BUDGETS = {
  createLead: 4,
  inboundYes: 4,
  paidWebhook: 6,
  savingCard: 3,
  charging: 6,
  dispatcherBase: 5,
};

export async function measureRoundTrips({ fn, api, linkFor, ok, newZip, stripe, textmagic, q }: BenchApp) {
  // Round trips, each request type on a warm pool.
  await call(fn.health, { method: 'GET', path: '/health' });
  const zip = newZip();
  const people = [await api.provider(zip), await api.provider(zip), await api.provider(zip)];
  // A container's first lead also reads the catalogue it keeps (lib/catalogue/lead-category.ts),
  // as its first request opens the pool: counted apart, then the steady state.
  const firstZip = newZip();
  await api.provider(firstZip);
  const first = await counted(() => api.lead(api.leadBody(firstZip)));
  ok(first.value, 201, 'first lead');
  const tmBefore = textmagic.requests;
  const created = await counted(() => api.lead(api.leadBody(zip), `bench-${Date.now()}`));
  ok(created.value, 201, 'create-lead');
  const teaserRequests = textmagic.requests - tmBefore;
  const code = created.value.json.code as string;
  const yes = await counted(() => api.reply(people[0]!.phone, `YES ${code}`));
  ok(yes.value, 200, 'inbound YES');
  const token = linkFor(people[0]!.phone);
  const pay = await counted(() => api.payLink(token));
  ok(pay.value, 303, 'pay link');
  const session = [...stripe.sessions.values()].find((s) => s.url === pay.value.headers.location)!;
  const tmBeforeDetails = textmagic.requests;
  const paid = await counted(() => api.webhook(stripe.completeSession(session.id)));
  ok(paid.value, 200, 'paid webhook');
  const detailsRequests = textmagic.requests - tmBeforeDetails;

  // The same provider's next lead, bought with the card that first Checkout saved: the YES
  // charges it, and the charge's payment_intent.succeeded unlocks (the steady state).
  const next = ok(await api.lead(api.leadBody(zip)), 201, 'second lead');
  const eventsBefore = stripe.events.length;
  const yesCharged = await counted(() => api.reply(people[0]!.phone, `YES ${next.json.code}`));
  ok(yesCharged.value, 200, 'inbound YES charging the saved card');
  const succeeded = stripe.events.slice(eventsBefore).find((e) => e.type === 'payment_intent.succeeded');
  if (!succeeded) throw new Error('the YES did not charge the saved card');
  const paidOffSession = await counted(() => api.webhook(succeeded));
  ok(paidOffSession.value, 200, 'off-session paid webhook');

  // The paid webhook that fills a lead (maxUnlocks 1) while another provider holds a session.
  const zipFull = newZip();
  const pair = [await api.provider(zipFull), await api.provider(zipFull)];
  const full = ok(await api.lead(api.leadBody(zipFull, { maxUnlocks: 1 })), 201, 'lead');
  const sessions: Array<{ id: string }> = [];
  for (const p of pair) {
    await api.reply(p.phone, `YES ${full.json.code}`);
    const r = ok(await api.payLink(linkFor(p.phone)), 303, 'pay link');
    sessions.push([...stripe.sessions.values()].find((s) => s.url === r.headers.location)!);
  }
  const filling = await counted(() => api.webhook(stripe.completeSession(sessions[0]!.id)));
  ok(filling.value, 200, 'filling webhook');

  // Dispatcher: an empty batch, then a batch of 5 due SMS.
  await fn.dispatcher();
  const dispatchEmpty = await counted(() => fn.dispatcher());
  const batch = 5;
  for (let i = 0; i < batch; i++) {
    await q.query(
      `insert into sms_messages (kind, recipients, body, dedupe_key) values ('help', $1, 'bench', $2)`,
      [[PROVIDER_PHONE()], `bench-dispatch-${Date.now()}-${i}`],
    );
  }
  const tmBeforeBatch = textmagic.requests;
  const dispatchBatch = await counted(() => fn.dispatcher());
  const batchRequests = textmagic.requests - tmBeforeBatch;

  return {
    createLead: { statements: created.statements, budget: ROUND_TRIP_BUDGETS.createLead },
    createLeadFirstInContainer: { statements: first.statements },
    inboundYes: { statements: yes.statements, budget: ROUND_TRIP_BUDGETS.inboundYes },
    payLink: { statements: pay.statements },
    // A provider's first payment also reads the card it saved from Stripe and stores it.
    paidWebhookSavingCard: {
      statements: paid.statements,
      budget: ROUND_TRIP_BUDGETS.paidWebhook + ROUND_TRIP_BUDGETS.savingCard,
    },
    inboundYesChargingCard: {
      statements: yesCharged.statements,
      budget: ROUND_TRIP_BUDGETS.inboundYes + ROUND_TRIP_BUDGETS.charging,
    },
    paidWebhook: { statements: paidOffSession.statements, budget: ROUND_TRIP_BUDGETS.paidWebhook },
    paidWebhookFillingLead: { statements: filling.statements },
    dispatcherEmpty: { statements: dispatchEmpty.statements, budget: ROUND_TRIP_BUDGETS.dispatcherBase },
    dispatcherBatch: {
      messages: batch,
      statements: dispatchBatch.statements,
      budget: ROUND_TRIP_BUDGETS.dispatcherBase + batch,
    },
    textmagicRequests: {
      teaserPerLead: teaserRequests,
      matchedProviders: created.value.json.offeredTo as number,
      detailsSms: detailsRequests,
      dispatcherBatch: batchRequests,
    },
  };
}
