/** True only in the serverless-offline build (scripts/console-assets.cjs): the sandbox pages. */
declare const SANDBOX: boolean;
