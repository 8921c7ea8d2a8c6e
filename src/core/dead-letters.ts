/**
 * The dead-letter side output of sources: malformed records, with where they came from and why
 * they failed, instead of a crash or a silent drop.
 *
 * @module
 */
import type { DeadLetter } from './connector-spi.ts';
import { OutputTag } from './output-tag.ts';

/** Tag id of the dead-letter side output of sources. */
export const DEAD_LETTER_TAG_ID = 'dead-letters';

/**
 * The side output of sources that receives malformed records (with position and error).
 *
 * @example
 * ```ts
 * const lines = env.fromSource(FileSource.jsonLines('in/'), WatermarkStrategy.noWatermarks());
 * lines.getSideOutput(DEAD_LETTERS).print('dead letter');
 * ```
 */
export const DEAD_LETTERS: OutputTag<DeadLetter> = new OutputTag<DeadLetter>(DEAD_LETTER_TAG_ID);
