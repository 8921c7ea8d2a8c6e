/**
 * The state backend settings of an application reach the job as the engine options that set them
 * (`stateMemory` per slot, `incrementalCheckpoints`), and the config schema of
 * POST/PATCH /v1/applications accepts them and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Check } from 'typebox/value';
import { ApplicationConfigSchema } from '../../protocol/application.ts';
import { effectiveSettings, environmentOptionsOf } from './application-settings.ts';

const at = {
  checkpointDir: '/tmp/cp',
  stateDir: '/tmp/state',
  fromSavepoint: undefined,
  allowNonRestoredState: false,
};

describe('application settings: state backend', () => {
  it('passes lmdb, its memory per slot and incremental checkpoints to the job', () => {
    const config = {
      parallelism: 2,
      stateBackend: { type: 'lmdb' as const, memoryMb: 256, incrementalCheckpoints: true },
    };
    assert.ok(Check(ApplicationConfigSchema, config));
    const s = effectiveSettings(config);
    assert.equal(s.stateMemoryMb, 256);
    assert.equal(s.incrementalCheckpoints, true);
    const o = environmentOptionsOf(s, at);
    assert.equal(o.stateBackend, 'lmdb');
    // 256 MiB for the application, two slots: 128 MiB each.
    assert.equal(o.stateMemory, 128 * 1024 * 1024);
    assert.equal(o.incrementalCheckpoints, true);
  });

  it('leaves the engine defaults when nothing is set', () => {
    const s = effectiveSettings({});
    assert.equal(s.stateBackend, 'heap');
    assert.equal(s.incrementalCheckpoints, false);
    const o = environmentOptionsOf(s, at);
    assert.equal(o.stateMemory, undefined);
    assert.equal(o.incrementalCheckpoints, undefined);
  });

  it('keeps the setting through an update that changes only the memory', () => {
    const config = { stateBackend: { memoryMb: 32 } };
    assert.ok(Check(ApplicationConfigSchema, config));
    const o = environmentOptionsOf(effectiveSettings(config), at);
    assert.equal(o.stateBackend, 'heap');
    assert.equal(o.stateMemory, 32 * 1024 * 1024);
  });

  it('refuses unknown or invalid state backend fields', () => {
    assert.ok(!Check(ApplicationConfigSchema, { stateBackend: { memoryMb: 0 } }));
    assert.ok(!Check(ApplicationConfigSchema, { stateBackend: { memoryMb: 1.5 } }));
    assert.ok(!Check(ApplicationConfigSchema, { stateBackend: { incremental: true } }));
    assert.ok(!Check(ApplicationConfigSchema, { stateBackend: { type: 'rocksdb' } }));
  });
});
