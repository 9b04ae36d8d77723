/**
 * The portal's built SPA, a virtual module made at bundle time by scripts/spa-assets.cjs
 * (esbuild.config.cjs's plugin for the Lambda bundles, vitest.config.ts's for the tests). Only
 * the portalPages function imports it (lib/portal/portal-app.ts).
 */
declare module 'portal-assets' {
  /** Hashed files by name (`main-3FJ2K.js`), served under /portal/assets/. */
  export const assets: Record<string, { contentType: string; body: string }>;
  /** The SPA's shell, naming those files. */
  export const indexHtml: string;
}
