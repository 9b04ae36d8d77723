/** Latency (p50, p99) per request type at concurrency 1 and 16. */
import { call, percentile, timed, type BenchApp } from './bench-app';

export async function measureLatency(
  { fn, api, ok, newZip, stripe, q }: BenchApp,
  opts: { quick?: boolean },
) {
  // Latency at concurrency 1 and 16: 16 providers share a zip, every lead is offered to all.
  const latency: Record<string, Record<string, { n: number; p50: number; p99: number }>> = {};
  const record = (name: string, c: number, lat: number[]) => {
    latency[name] ??= {};
    latency[name][`c${c}`] = { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  };
  const perLevel = opts.quick ? 32 : 96;
  for (const c of [1, 16]) {
    const z = newZip();
    const crowd: Array<{ id: string; phone: string }> = [];
    for (let i = 0; i < 16; i++) crowd.push(await api.provider(z));
    const nLeads = Math.ceil(perLevel / crowd.length);
    record(
      'health',
      c,
      (
        await timed(
          c,
          Array.from({ length: perLevel }, () => () => call(fn.health, { method: 'GET', path: '/health' })),
        )
      ).latencies,
    );
    const codes: string[] = [];
    record(
      'createLead',
      c,
      (
        await timed(
          c,
          Array.from({ length: nLeads }, () => async () => {
            const r = ok(await api.lead(api.leadBody(z, { maxUnlocks: 16 })), 201, 'lead');
            codes.push(r.json.code);
          }),
        )
      ).latencies,
    );
    const pairs = codes.flatMap((code) => crowd.map((p) => ({ code, p })));
    const tokens: string[] = [];
    record(
      'inboundYes',
      c,
      (
        await timed(
          c,
          pairs.map(({ code, p }) => async () => {
            ok(await api.reply(p.phone, `YES ${code}`), 200, 'YES');
          }),
        )
      ).latencies,
    );
    const { rows: links } = await q.query<{ pay_token: string }>(
      `select o.pay_token from offers o join leads l on l.id = o.lead_id where l.code = any($1) and l.zip_code = $2`,
      [codes, z],
    );
    for (const l of links) tokens.push(l.pay_token);
    const sessionIds: string[] = [];
    record(
      'payLink',
      c,
      (
        await timed(
          c,
          tokens.map((t) => async () => {
            const r = ok(await api.payLink(t), 303, 'pay link');
            sessionIds.push(r.headers.location!);
          }),
        )
      ).latencies,
    );
    const byUrl = new Map([...stripe.sessions.values()].map((s) => [s.url, s.id]));
    const events = sessionIds.map((u) => stripe.completeSession(byUrl.get(u)!));
    record(
      'paidWebhook',
      c,
      (
        await timed(
          c,
          events.map((e) => async () => ok(await api.webhook(e), 200, 'webhook')),
        )
      ).latencies,
    );
  }

  return latency;
}
