// A local Serverless plugin: the API's routes from their one table, lib/http/routes.ts.
// - When serverless.yml is loaded (the `initialize` hook, before any command: `package`, `deploy`,
//   and serverless-offline, which reads the events when it starts), each function gets an httpApi
//   event per route the table gives it. serverless.yml declares the functions (handler, secrets)
//   and no route of its own: one written there fails, as does a route naming no function.
// - When packaged, API Gateway throttling per route (requests over it get 429 before any Lambda
//   runs): the framework's `provider.httpApi` has no throttling settings; this writes the
//   generated stage's RouteSettings, and the DependsOn on every route that CloudFormation needs
//   before it can set a route's settings, from the compiled template.
'use strict';

const Module = require('node:module');
const path = require('node:path');
const esbuild = require('esbuild');

const TABLE = path.join(__dirname, '..', 'lib', 'http', 'routes.ts');

/** lib/http/routes.ts's ROUTES, compiled by esbuild (~0.3 s; tsx's require takes twice that). */
function loadRoutes() {
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [TABLE],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
  });
  const mod = new Module(TABLE);
  mod.filename = TABLE;
  mod._compile(outputFiles[0].text, TABLE);
  return mod.exports.ROUTES;
}

const keyOf = (route) => `${route.method} ${route.path}`;

/** Each function's httpApi events from `routes`; throws on a route of serverless.yml's own. */
function addRouteEvents(service, routes) {
  const written = [];
  for (const [name, fn] of Object.entries(service.functions ?? {})) {
    for (const event of fn.events ?? []) if (event.httpApi) written.push(name);
  }
  if (written.length) {
    throw new Error(
      `httpApi events in serverless.yml (${[...new Set(written)].join(', ')}): routes are declared in lib/http/routes.ts`,
    );
  }
  const unknown = routes.filter((r) => !service.functions?.[r.fn]).map((r) => `${keyOf(r)} → ${r.fn}`);
  if (unknown.length) throw new Error(`routes of no function in serverless.yml: ${unknown.join(', ')}`);
  for (const route of routes) {
    const fn = service.functions[route.fn];
    fn.events = [...(fn.events ?? []), { httpApi: { method: route.method, path: route.path } }];
  }
}

/** The stage's RouteSettings: each route's throttle, once the compiled template has the routes. */
function throttleRoutes(resources, routes) {
  const ofType = (type) => Object.keys(resources).filter((id) => resources[id].Type === type);
  const [stage] = ofType('AWS::ApiGatewayV2::Stage');
  if (!stage) return;
  const throttles = new Map(routes.map((r) => [keyOf(r), r.throttle]));
  const ids = ofType('AWS::ApiGatewayV2::Route');
  const settings = {};
  for (const id of ids) {
    const key = resources[id].Properties.RouteKey;
    const t = throttles.get(key);
    if (!t) throw new Error(`route ${key} has no throttle in lib/http/routes.ts`);
    settings[key] = { ThrottlingBurstLimit: t.burst, ThrottlingRateLimit: t.rate };
  }
  resources[stage].DependsOn = [...new Set([...(resources[stage].DependsOn ?? []), ...ids])];
  resources[stage].Properties.RouteSettings = settings;
}

class Routes {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      initialize: () => {
        this.routes = loadRoutes();
        addRouteEvents(serverless.service, this.routes);
      },
      'after:package:compileEvents': () =>
        throttleRoutes(serverless.service.provider.compiledCloudFormationTemplate.Resources, this.routes),
    };
  }
}

module.exports = Routes;
module.exports.loadRoutes = loadRoutes;
