/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), made
 * lazy: a route's validator or serializer is compiled on the route's first request instead of
 * when the server becomes ready. Compiling every route's schemas was most of `app.ready()`
 * (~0.3 CPU-s of a ~1.2 CPU-s start, more under load); the first call of a route pays a few
 * milliseconds instead. Behaviour is fastify's: the same compilers, the same options, the same
 * errors.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/** What fastify passes to a compiler for one route part. */
interface RouteSchema {
  readonly schema: unknown;
}

/** An Ajv validate function as fastify calls it. */
interface ValidateFunction {
  (data: unknown, context?: unknown): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}

type SerializeFunction = (data: unknown) => string;
type Builder<F> = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => F;

// The compilers fastify itself uses, resolved from fastify's own dependencies (not ours): the
// same versions fastify would load by default.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const validatorSelector = fromFastify('@fastify/ajv-compiler') as () => Builder<ValidateFunction>;
const serializerSelector = fromFastify(
  '@fastify/fast-json-stringify-compiler',
) as () => Builder<SerializeFunction>;

function lazyValidator(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate: ValidateFunction = (data, context) => {
    compiled ??= compile();
    const valid = compiled(data, context);
    validate.errors = compiled.errors;
    return valid;
  };
  // Fastify passes the parent (request) to validators that have a schemaEnv, as Ajv's own do,
  // so that a validator can change a root value (defaults); Ajv ignores it otherwise.
  validate.schemaEnv = true;
  return validate;
}

function lazySerializer(compile: () => SerializeFunction): SerializeFunction {
  let compiled: SerializeFunction | undefined;
  return (data) => (compiled ??= compile())(data);
}

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type Factories = NonNullable<SchemaController['compilersFactory']>;

/** Fastify's `schemaController` option with the lazy compilers. */
export function lazySchemaController(): SchemaController {
  const buildValidator = validatorSelector();
  const buildSerializer = serializerSelector();
  const validators = (external: unknown, options: unknown) => {
    const compile = buildValidator(external, options);
    return (route: RouteSchema) => lazyValidator(() => compile(route));
  };
  const serializers = (external: unknown, options: unknown) => {
    const compile = buildSerializer(external, options);
    return (route: RouteSchema) => lazySerializer(() => compile(route));
  };
  // Fastify types these with Ajv's and fast-json-stringify's own function types; the wrappers
  // are called exactly as those are (fastify reads `errors` and `schemaEnv`, nothing else).
  return {
    compilersFactory: {
      buildValidator: validators as unknown as NonNullable<Factories['buildValidator']>,
      buildSerializer: serializers as unknown as NonNullable<Factories['buildSerializer']>,
    },
  };
}
