// A table added to a copy of the declaration, against the real Cassandra: its CREATE TABLE comes
// from the declaration, the writer accepts it, and a reorg's retraction (derived keys + the
// block's manifest) removes the orphan's rows from it while the replacement's rows stay.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RetractionRecord } from '../../core/chain.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createTablesSince } from '../../storage/views/tables.js';
import { createViewsWriter } from '../../storage/views/writer.js';
import { decodeManifest, encodeManifest, manifestKeys, retractionKeys, writeTimestamp } from '../../speed/views/rows.js';
import { testConfig, testLogger } from '../helpers.js';
import { EXTENDED_TABLES, extendedRows } from './extended-tables.js';
import { generateStream } from './fixtures.js';

const cfg = testConfig();
let cassandra: CassandraClient;

beforeAll(async () => {
  cassandra = await createCassandra(cfg, testLogger());
  for (const cql of createTablesSince(EXTENDED_TABLES, 199)) await cassandra.execute(cql);
});

afterAll(async () => {
  await cassandra?.shutdown();
});

test('an orphan block\'s rows in the added tables are gone after its retraction; the replacement\'s stay', async () => {
  const chainId = 4343;
  const s = generateStream({ chainId, seed: 11, blocks: 6, startTime: Math.floor(Date.now() / 1000) - 3_600, reorgAfter: 6, reorgDepth: 2, maxTxs: 6 });
  const writer = createViewsWriter(cassandra, { ttlSeconds: cfg.VIEWS_TTL_SECONDS, tables: EXTENDED_TABLES });
  const orphan = s.orphaned.find((b) => b.transactions.length > 0);
  const retraction = s.records.find((r): r is RetractionRecord => r.kind === 'retraction' && r.block.hash === orphan?.block.hash);
  const replacement = s.canonical.find((b) => b.block.number === orphan?.block.number);
  if (!orphan || !retraction || !replacement) throw new Error('fixture lacks a reorg with transactions');
  const apply = async (b: typeof orphan, offset: string) => {
    const rows = extendedRows(b);
    await writer.insertBatch(rows.map((row) => ({ row, timestamp: writeTimestamp(offset) })));
    await writer.writeManifest(chainId, b.block.hash, b.block.number, encodeManifest(manifestKeys(rows, EXTENDED_TABLES)), writeTimestamp(offset));
  };
  const extraRows = async (blockNumber: number, blockHash: string) => ({
    txs: (await cassandra.execute('SELECT tx_hash FROM views_test_tx_by_index WHERE chain_id = ? AND block_number = ? AND block_hash = ? ALLOW FILTERING', [chainId, blockNumber, blockHash], { prepare: true })).rows.length,
    notes: (await cassandra.execute('SELECT note FROM views_test_block_note WHERE chain_id = ? AND block_hash = ?', [chainId, blockHash], { prepare: true })).rows.length,
  });

  await apply(orphan, '10');
  expect(await extraRows(orphan.block.number, orphan.block.hash)).toEqual({ txs: orphan.transactions.length, notes: 1 });
  const m = await writer.readManifest(chainId, orphan.block.hash);
  const keys = [...retractionKeys(retraction, EXTENDED_TABLES), ...(m ? decodeManifest(m) : [])];
  await Promise.all(keys.map((k) => writer.remove(k, writeTimestamp('11'))));
  await writer.deleteManifest(chainId, orphan.block.hash, writeTimestamp('11'));
  await apply(replacement, '12');
  expect(await extraRows(orphan.block.number, orphan.block.hash)).toEqual({ txs: 0, notes: 0 });
  expect(await extraRows(replacement.block.number, replacement.block.hash)).toEqual({ txs: replacement.transactions.length, notes: 1 });
});
