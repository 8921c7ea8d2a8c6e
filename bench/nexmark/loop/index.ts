/** The hand-written loop baselines ("the floor"): see bench/nexmark/README.md. */
import { q3, q4, q20 } from './join-queries.ts';
import { q15, q17, q18, q19 } from './final-aggregate-queries.ts';
import { q0, q1, q2, q14, q21, q22 } from './stateless-queries.ts';
import type { LoopQuery } from './types.ts';
import { q5, q7, q8, q11, q12 } from './window-queries.ts';

export type { EventSource, LoopQuery, RecordSink } from './types.ts';

/** The queries the baselines implement. */
export const QUERY_NAMES = [
  'q0',
  'q1',
  'q2',
  'q3',
  'q4',
  'q5',
  'q7',
  'q8',
  'q11',
  'q12',
  'q14',
  'q15',
  'q17',
  'q18',
  'q19',
  'q20',
  'q21',
  'q22',
] as const;
/** One of {@link QUERY_NAMES}. */
export type QueryName = (typeof QUERY_NAMES)[number];

/** The loop implementation of each query. */
export const loopQueries: Readonly<Record<QueryName, LoopQuery>> = {
  q0,
  q1,
  q2,
  q3,
  q4,
  q5,
  q7,
  q8,
  q11,
  q12,
  q14,
  q15,
  q17,
  q18,
  q19,
  q20,
  q21,
  q22,
};

/** True when `name` is one of {@link QUERY_NAMES}. */
export function isQueryName(name: string): name is QueryName {
  return (QUERY_NAMES as readonly string[]).includes(name);
}
