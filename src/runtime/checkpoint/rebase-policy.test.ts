import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SharedStateFile } from './checkpoint-metadata.ts';
import { MAX_CHAIN_FILES, needsNewBase } from './rebase-policy.ts';

const file = (bytes: number, full: boolean): SharedStateFile => ({
  file: `f${bytes}`,
  bytes,
  sha256: '',
  full,
});
/** A base in `parts` files of 100 bytes in all, then change files of the given sizes. */
const chain = (parts: number, changes: readonly number[]): SharedStateFile[] => [
  ...Array.from({ length: parts }, () => file(100 / parts, true)),
  ...changes.map((b) => file(b, false)),
];

test('a subtask without a confirmed chain starts with a base', () => {
  assert.equal(needsNewBase(undefined), true);
});

test('changes up to twice the base extend the chain; more start a new base', () => {
  assert.equal(needsNewBase(chain(1, [])), false);
  assert.equal(needsNewBase(chain(1, [150, 50])), false);
  assert.equal(needsNewBase(chain(1, [150, 51])), true);
  // A base in parts counts whole.
  assert.equal(needsNewBase(chain(4, [199])), false);
  assert.equal(needsNewBase(chain(4, [201])), true);
});

test('a chain of small changes ends at its file limit, however many files its base has', () => {
  const small = (n: number) => Array.from({ length: n }, () => 1);
  assert.equal(needsNewBase(chain(1, small(MAX_CHAIN_FILES - 2))), false);
  assert.equal(needsNewBase(chain(1, small(MAX_CHAIN_FILES - 1))), true);
  assert.equal(needsNewBase(chain(5, small(MAX_CHAIN_FILES - 2))), false);
  assert.equal(needsNewBase(chain(5, small(MAX_CHAIN_FILES - 1))), true);
});
