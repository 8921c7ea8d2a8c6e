/**
 * `PostgresLookupSource` with `LookupJoin` against a real server: records enriched from a table
 * by key (missing keys resolve to undefined), the keys of a batch fetched together in few
 * queries, and a clear error when the table is missing.
 *
 * Run: node scripts/run-tests.mjs postgres/postgres-lookup
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LookupJoin, StreamEnvironment } from '../../src/index.ts';
import { PostgresLookupSource } from '../../src/connectors/postgres/index.ts';
import { ensurePostgres, query, uniqueTable } from '../support/postgres-server.ts';

const server = await ensurePostgres();
const skip = 'skip' in server ? server.skip : false;
const url = 'url' in server ? server.url : '';

interface Profile {
  readonly country: string;
  readonly tier: number;
}

describe('PostgresLookupSource', { skip }, () => {
  const tables: string[] = [];
  after(async () => {
    for (const t of tables) await query(url, `DROP TABLE IF EXISTS ${t}`);
  });

  test('LookupJoin enriches from the table; a batch of keys costs few queries', async () => {
    const table = uniqueTable('profiles');
    tables.push(table);
    await query(url, `CREATE TABLE ${table} (user_id int PRIMARY KEY, country text, tier int)`);
    await query(
      url,
      `INSERT INTO ${table} SELECT i, CASE WHEN i % 2 = 0 THEN 'PT' ELSE 'NZ' END, i % 3 FROM generate_series(0, 49) i`,
    );
    const profiles = new PostgresLookupSource<Profile>({
      connection: url,
      table,
      keyColumn: 'user_id',
      columns: ['country', 'tier'],
    });
    const env = StreamEnvironment.create({ batchSize: 100 });
    const clicks = env.fromCollection(Array.from({ length: 300 }, (_, i) => ({ user: i % 60, i })));
    const out = await LookupJoin.async(clicks, {
      key: (c) => c.user,
      lookup: profiles.lookup,
      join: (c, p) => `${c.i}:${c.user}:${p === undefined ? 'none' : `${p.country}/${p.tier}`}`,
      cache: false,
      capacity: 100,
    }).executeAndCollect('pg-lookup');
    await profiles.close();
    assert.equal(out.length, 300);
    for (const line of out) {
      const [, user] = line.split(':').map(Number) as [number, number];
      const expected = user < 50 ? `${user % 2 === 0 ? 'PT' : 'NZ'}/${user % 3}` : 'none';
      assert.equal(line.split(':')[2], expected, line);
    }
    // 300 lookups of 60 keys, 100 at a time in flight: a handful of queries, not 300.
    assert.ok(profiles.queries <= 12, `${profiles.queries} queries`);
  });

  test('a missing table fails the lookup naming the table', async () => {
    const profiles = new PostgresLookupSource({
      connection: url,
      table: 'no_such_profiles',
      keyColumn: 'user_id',
    });
    const env = StreamEnvironment.create();
    const clicks = env.fromCollection([{ user: 1 }]);
    const job = LookupJoin.async(clicks, {
      key: (c) => c.user,
      lookup: profiles.lookup,
      join: (c) => c,
      onFailure: 'fail-job',
    }).executeAndCollect('pg-lookup-missing');
    await assert.rejects(
      job,
      /relation "no_such_profiles" does not exist[\s\S]*create the table no_such_profiles/,
    );
    await profiles.close();
  });
});
