/** A request to TextMagic as the burst made it: when it was asked for, and its priority (0 first). */
export type Request = { arrivedAt: number; priority: number };

/**
 * The least any sender at `rate` requests a second could give each request: one request every
 * 1/rate s whenever one is waiting, the waiting one of the highest priority first, oldest first
 * within a priority. Returns each request's send time (ms), in the order given.
 */
export function idealSendTimes(requests: Request[], rate: number): number[] {
  const step = 1000 / rate;
  const order = requests.map((r, i) => ({ ...r, i })).sort((a, b) => a.arrivedAt - b.arrivedAt);
  const out = new Array<number>(requests.length);
  const waiting: typeof order = [];
  let next = 0;
  let t = -Infinity;
  while (next < order.length || waiting.length) {
    if (!waiting.length) t = Math.max(t, order[next]!.arrivedAt);
    while (next < order.length && order[next]!.arrivedAt <= t) waiting.push(order[next++]!);
    // The waiting request that goes first: highest priority, then oldest.
    let best = 0;
    for (let k = 1; k < waiting.length; k++) {
      const a = waiting[k]!;
      const b = waiting[best]!;
      if (a.priority < b.priority || (a.priority === b.priority && a.arrivedAt < b.arrivedAt)) best = k;
    }
    const [sent] = waiting.splice(best, 1);
    out[sent!.i] = t;
    t += step;
  }
  return out;
}
