/**
 * The PostgreSQL example end to end, through the CLI as a user runs it (on two worker threads,
 * with checkpoints): `user_activity` must hold every user of the synthetic stream once, with
 * its total events, its bot flag and the country its profile gives.
 *
 * Run: node scripts/run-tests.mjs postgres/examples
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { syntheticEvent } from '../../examples/lib/bot-tag-enrichment.ts';
import { ensurePostgres, query } from '../support/postgres-server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const server = await ensurePostgres();
const skip = 'skip' in server ? server.skip : false;
const url = 'url' in server ? server.url : '';
const EVENTS = 8000;

describe('PostgreSQL example', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-pg-example-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('user-activity: every user once, with its events, bot flag and country', async () => {
    // A private copy of the tables: the example's defaults may be in use by a person.
    const schema = `example_${process.pid}`;
    await query(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await query(url, `CREATE SCHEMA ${schema}`);
    const schemaUrl = `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    try {
      await run(
        process.execPath,
        [
          'bin/eddy.js',
          'run',
          'examples/postgres/user-activity.ts',
          '-p',
          '2',
          '--checkpoint-interval',
          '200ms',
          '--checkpoint-dir',
          join(dir, 'chk'),
          '--prop',
          `postgres.url=${schemaUrl}`,
          '--prop',
          `source.events=${EVENTS}`,
          '--prop',
          'source.rate=4000',
        ],
        { cwd: root },
      );
      const expected = new Map<string, number>();
      for (let i = 0; i < EVENTS; i++) {
        const user = syntheticEvent(i).userId;
        expected.set(user, (expected.get(user) ?? 0) + 1);
      }
      const rows = await query<{
        user_id: string;
        events: number;
        is_bot: boolean;
        country: string;
      }>(url, `SELECT user_id, events, is_bot, country FROM ${schema}.user_activity`);
      assert.equal(rows.length, expected.size);
      for (const r of rows) {
        assert.equal(r.events, expected.get(r.user_id), r.user_id);
        const bot = r.user_id.startsWith('bot-');
        assert.equal(r.is_bot, bot, r.user_id);
        const n = Number(r.user_id.split('-')[1]);
        assert.equal(
          r.country,
          bot ? 'unknown' : (['PT', 'NZ', 'JP', 'BR', 'DE'][n % 5] as string),
        );
      }
    } finally {
      await query(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
