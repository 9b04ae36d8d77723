// CommonJS so that esbuild.config.cjs, which serverless-esbuild loads with require(), and the
// TypeScript that esbuild bundles share one rule (Node 20 cannot require() an ES module).
'use strict';

/** Neon's hosts (`*.neon.tech`, `*.neon.build`): reached through Neon's WebSocket driver. */
module.exports = function isNeonHost(url) {
  try {
    const host = new URL(url).hostname;
    return host.endsWith('.neon.tech') || host.endsWith('.neon.build');
  } catch {
    return false;
  }
};
