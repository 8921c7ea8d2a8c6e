/**
 * The error every artifact check throws: the artifact is the user's input, and reading it again
 * gives the same answer.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';

const DEFAULT_HINT = 'package the job again with "eddy package <job file>" and use the new file';

/** An `INVALID_ARTIFACT` {@link EddyError} saying what is wrong with an artifact. */
export function invalidArtifact(message: string, hint: string = DEFAULT_HINT): EddyError {
  return new EddyError(`invalid artifact: ${message}`, {
    code: 'INVALID_ARTIFACT',
    domain: 'user',
    retryable: false,
    hint,
  });
}
