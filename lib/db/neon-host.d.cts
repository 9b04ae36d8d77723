/** Neon's hosts (`*.neon.tech`, `*.neon.build`): reached through Neon's WebSocket driver. */
declare function isNeonHost(url: string): boolean;
export = isNeonHost;
