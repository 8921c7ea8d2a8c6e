/**
 * API tokens: bearer tokens with a role (viewer reads, deployer also deploys and changes
 * applications, admin also manages tokens). The server stores only their SHA-256.
 *
 * @module
 */
import { Type, type Static } from 'typebox';
import { IdSchema, TimestampSchema } from './common.ts';

/** What a token may do. */
export const TokenRoleSchema = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('deployer'),
  Type.Literal('admin'),
]);

/** What a token may do. */
export type TokenRole = Static<typeof TokenRoleSchema>;

/** A token's label, for operation rows ("by") and listings. */
export const TokenNameSchema = Type.String({
  pattern: '^[A-Za-z0-9_.@-]{1,64}$',
  description: 'letters, digits and _ . @ -; at most 64 characters',
});

/** One token as listed (never its value). */
export const TokenDescriptionSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  role: TokenRoleSchema,
  createdAt: TimestampSchema,
  revokedAt: Type.Optional(TimestampSchema),
});

/** One token as listed. */
export type TokenDescription = Static<typeof TokenDescriptionSchema>;

/** `POST /v1/tokens`. */
export const CreateTokenRequestSchema = Type.Object(
  { name: TokenNameSchema, role: TokenRoleSchema },
  { additionalProperties: false },
);

/** `POST /v1/tokens`. */
export type CreateTokenRequest = Static<typeof CreateTokenRequestSchema>;

/** The answer to `POST /v1/tokens`: the only time the token's value is shown. */
export const CreatedTokenSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  role: TokenRoleSchema,
  createdAt: TimestampSchema,
  token: Type.String({ description: 'the bearer token; shown once, stored only as a hash' }),
});

/** The answer to `POST /v1/tokens`. */
export type CreatedToken = Static<typeof CreatedTokenSchema>;
