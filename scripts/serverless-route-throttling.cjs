// A local Serverless plugin: API Gateway throttling declared on each httpApi event
// (`throttle: { burst, rate }`: requests per second, and the burst a token bucket lets through),
// so that a route is added in one place. The framework's `provider.httpApi` has no throttling
// settings; this writes the generated stage's RouteSettings, and the DependsOn on every route
// that CloudFormation needs before it can set a route's settings, from the compiled template.
// A route without `throttle` fails the package.
'use strict';

const THROTTLE_SCHEMA = {
  type: 'object',
  properties: {
    burst: { type: 'integer', minimum: 1 },
    rate: { type: 'integer', minimum: 1 },
  },
  required: ['burst', 'rate'],
  additionalProperties: false,
};

/** `{ 'POST /leads': { burst, rate } }` from the functions' httpApi events. */
function routeThrottles(service) {
  const throttles = {};
  const missing = [];
  for (const [name, fn] of Object.entries(service.functions ?? {})) {
    for (const event of fn.events ?? []) {
      const api = event.httpApi;
      if (!api || typeof api !== 'object') continue;
      const key = `${String(api.method).toUpperCase()} ${api.path}`;
      if (api.throttle) throttles[key] = api.throttle;
      else missing.push(`${name}: ${key}`);
    }
  }
  return { throttles, missing };
}

class RouteThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineFunctionEventProperties('aws', 'httpApi', {
      properties: { throttle: THROTTLE_SCHEMA },
    });
    this.hooks = { 'after:package:compileEvents': () => this.apply() };
  }

  apply() {
    const { service } = this.serverless;
    const { throttles, missing } = routeThrottles(service);
    if (missing.length) {
      throw new Error(`httpApi routes without throttle { burst, rate }: ${missing.join(', ')}`);
    }
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const ofType = (type) => Object.keys(resources).filter((id) => resources[id].Type === type);
    const [stage] = ofType('AWS::ApiGatewayV2::Stage');
    if (!stage) return;
    const routes = ofType('AWS::ApiGatewayV2::Route');
    const settings = {};
    for (const id of routes) {
      const key = resources[id].Properties.RouteKey;
      const t = throttles[key];
      if (t) settings[key] = { ThrottlingBurstLimit: t.burst, ThrottlingRateLimit: t.rate };
    }
    resources[stage].DependsOn = [...new Set([...(resources[stage].DependsOn ?? []), ...routes])];
    resources[stage].Properties.RouteSettings = settings;
  }
}

module.exports = RouteThrottling;
module.exports.routeThrottles = routeThrottles;
