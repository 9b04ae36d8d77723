/** True only in the serverless-offline build (scripts/spa-assets.cjs): the sandbox pages. */
declare const SANDBOX: boolean;
