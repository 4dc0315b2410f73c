import { afterAll, expect, test } from 'vitest';
import { type CassandraClient, createCassandra, migrate, replicationCql } from '../../storage/cassandra.js';
import type { Migration } from '../../storage/migrations/index.js';
import { testConfig, testLogger } from '../helpers.js';

const clients: CassandraClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.shutdown();
});

test('replication spec becomes a CQL map', () => {
  expect(replicationCql('SimpleStrategy:1')).toBe("{'class': 'SimpleStrategy', 'replication_factor': 1}");
  expect(replicationCql('NetworkTopologyStrategy:dc1=3,dc2=2')).toBe("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}");
});

test('creates the keyspace from config, applies every migration once, and reads back writes', async () => {
  const cfg = testConfig();
  const client = await createCassandra(cfg, testLogger());
  clients.push(client);
  const ks = await client.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [cfg.CASSANDRA_KEYSPACE]);
  expect(ks.rows[0]?.replication).toMatchObject({ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' });
  const applied = (await client.execute('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number);
  expect(applied).toContain(1);

  await client.execute('INSERT INTO ingest_checkpoint (chain_id, block_number, block_hash, updated_at) VALUES (?, ?, ?, ?)', [1, 42, '0xabc', new Date()], { prepare: true });
  const row = (await client.execute('SELECT block_number, block_hash FROM ingest_checkpoint WHERE chain_id = ?', [1], { prepare: true })).first();
  expect(Number(row.block_number)).toBe(42);
  expect(row.block_hash).toBe('0xabc');

  // A new migration is applied once; re-running applies nothing.
  const extra: Migration[] = [{ version: 9_999, name: 'test table', cql: () => ['CREATE TABLE IF NOT EXISTS t_extra (id int PRIMARY KEY, v text)'] }];
  expect(await migrate(client, cfg, testLogger(), extra)).toEqual([9_999]);
  expect(await migrate(client, cfg, testLogger(), extra)).toEqual([]);
  await client.execute("INSERT INTO t_extra (id, v) VALUES (1, 'x')");
  expect((await client.execute('SELECT v FROM t_extra WHERE id = 1')).first().v).toBe('x');
});

test('behavior: an ALTER TABLE ADD migration run by two processes at once, or again after a crash, applies cleanly', async () => {
  const cfg = testConfig();
  const client = await createCassandra(cfg, testLogger(), { migrations: [] });
  const other = await createCassandra(cfg, testLogger(), { migrations: [] });
  clients.push(client, other);
  const base: Migration[] = [{ version: 9_990, name: 'table', cql: () => ['CREATE TABLE IF NOT EXISTS t_alter (id int PRIMARY KEY)'] }];
  await migrate(client, cfg, testLogger(), base);
  const add: Migration[] = [...base, { version: 9_991, name: 'column', cql: () => ['ALTER TABLE t_alter ADD note text'] }];
  // Both see 9_991 pending and both ALTER: the second finds the column there.
  const results = await Promise.all([migrate(client, cfg, testLogger(), add), migrate(other, cfg, testLogger(), add)]);
  expect(results.flat()).toContain(9_991);
  // A crash after the ALTER, before schema_migrations recorded it: the rerun applies it.
  await client.execute('DELETE FROM schema_migrations WHERE version = 9991');
  expect(await migrate(client, cfg, testLogger(), add)).toEqual([9_991]);
  await client.execute("INSERT INTO t_alter (id, note) VALUES (1, 'x')");
  // The same column name with another type is a mismatch, not an applied migration.
  const bad: Migration[] = [{ version: 9_992, name: 'bad', cql: () => ['ALTER TABLE t_alter ADD note int'] }];
  await expect(migrate(client, cfg, testLogger(), bad)).rejects.toThrow(/t_alter\.note already exists as text/);
});

test('duplicate migration versions are refused', async () => {
  const cfg = testConfig();
  const client = await createCassandra(cfg, testLogger(), { migrations: [] });
  clients.push(client);
  const dup: Migration[] = [
    { version: 5, name: 'a', cql: () => [] },
    { version: 5, name: 'b', cql: () => [] },
  ];
  await expect(migrate(client, cfg, testLogger(), dup)).rejects.toThrow(/duplicate migration version 5/);
});
