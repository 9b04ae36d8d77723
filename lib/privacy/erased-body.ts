/** What a stored SMS that held the client's text says once erased (lib/privacy/erase-client.ts). */
export const ERASED_BODY = '[erased at the client’s request]';
