/**
 * The `@platformatic/kafka` module, loaded once for every Kafka client module of Eddy.
 *
 * `@platformatic/kafka` is an optional peer dependency (docs/adr/0011-library-build-and-source-condition.md):
 * jobs without Kafka install Eddy without it, and so without its sub-dependencies' Node ≥ 22.19
 * engine claim. A static `import ... from '@platformatic/kafka'` in a client module would, when the
 * package is missing, fail while Node links `eddy/kafka` — before any Eddy code runs — with Node's
 * `ERR_MODULE_NOT_FOUND` naming a file deep inside `dist/`. Loading it here, with top-level
 * `await`, lets `import 'eddy/kafka'` fail with an {@link EddyError} that says what to install.
 * The client modules take their runtime values from {@link platformaticKafka} and keep importing
 * types from the package directly (type imports are erased).
 *
 * @module
 */
import type * as PlatformaticKafka from '@platformatic/kafka';
import { EddyError } from '../../../errors/eddy-error.ts';

/** The package name, as users install it. */
const PACKAGE = '@platformatic/kafka';

/**
 * Whether `error` says that `specifier` itself (not one of its dependencies, whose absence is a
 * broken install to report as it is) could not be found.
 */
export function isMissingPackage(error: unknown, specifier: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error.message.includes(`'${specifier}'`)
  );
}

/** The error `eddy/kafka` throws when `@platformatic/kafka` is not installed. */
export function missingKafkaClientError(cause: unknown): EddyError {
  return new EddyError(
    `eddy/kafka needs the Kafka client package ${PACKAGE}, which is not installed`,
    {
      code: 'MISSING_DEPENDENCY',
      domain: 'user',
      cause,
      hint: `run \`npm install ${PACKAGE}@^1.35.0\` in your project (an optional peer dependency of eddy; its dependencies declare Node.js >= 22.19, so npm warns EBADENGINE on Node.js 20, where Eddy's Kafka tests pass nonetheless)`,
    },
  );
}

async function loadPlatformaticKafka(): Promise<typeof PlatformaticKafka> {
  try {
    return await import('@platformatic/kafka');
  } catch (error) {
    if (isMissingPackage(error, PACKAGE)) throw missingKafkaClientError(error);
    throw error;
  }
}

/** The loaded `@platformatic/kafka` module. */
export const platformaticKafka: typeof PlatformaticKafka = await loadPlatformaticKafka();

/**
 * The library's `kGetApi` symbol, typed as its own `unique symbol` (destructuring would widen it to
 * `symbol`, and subclasses could no longer override the member it names).
 */
export const kGetApi: typeof PlatformaticKafka.kGetApi = platformaticKafka.kGetApi;
