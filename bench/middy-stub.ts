/**
 * Measurement only (`npm run bench`): stands in for @middy/core and the @middy/http-* middlewares
 * in a copy of each bundle, so that the bench can time a function's cold start without middy in
 * the same run. A bare handler builder: it can be imported (its
 * clients built), and it runs the middlewares' hooks in middy's order, with none of middy's own.
 */
type Request = { event: unknown; context: unknown; response: unknown; error: unknown };
type Hook = (request: Request) => unknown;
type Middleware = { before?: Hook; after?: Hook; onError?: Hook };

export default function middy() {
  const before: Hook[] = [];
  const after: Hook[] = [];
  const onError: Hook[] = [];
  let handler: (event: unknown, context: unknown) => unknown = () => undefined;
  const run = async (event: unknown = {}, context: unknown = {}) => {
    const request: Request = { event, context, response: undefined, error: undefined };
    try {
      for (const h of before) await h(request);
      request.response = await handler(request.event, request.context);
      for (const h of after) await h(request);
    } catch (err) {
      request.error = err;
      for (const h of onError) await h(request);
      if (request.response === undefined) throw err;
    }
    return request.response;
  };
  run.use = (m: Middleware) => {
    if (m.before) before.push(m.before);
    if (m.after) after.unshift(m.after);
    if (m.onError) onError.unshift(m.onError);
    return run;
  };
  run.handler = (h: typeof handler) => {
    handler = h;
    return run;
  };
  return run;
}
