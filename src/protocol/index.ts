/**
 * The control plane's wire contract: request and response schemas (JSON Schema, built with
 * TypeBox) and their TypeScript types. The server validates with them and generates its OpenAPI
 * document from them; the CLI client and the dashboard type their calls with them.
 *
 * @example
 * ```ts
 * import type { ApplicationDescription } from 'eddy/protocol';
 * const app = (await (await fetch(`${url}/v1/applications/orders`, { headers })).json()) as ApplicationDescription;
 * ```
 *
 * @module
 */
export * from './common.ts';
export * from './application.ts';
export * from './artifact.ts';
export * from './operation.ts';
export * from './snapshot.ts';
export * from './token.ts';
