// The compactor's decode and staging path over real Kafka and DuckDB: undecodable records are
// counted by reason and skipped (the offsets still advance), and strings with CSV-hostile
// characters, empty strings vs NULL and uint256 values reach Parquet exactly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { type BlockRecord, encodeRecord, recordKey } from '../../core/chain.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { registerLakeViews } from '../../storage/lake/canonical.js';
import { createDuck, queryRows } from '../../storage/lake/duck.js';
import { testConfig, testLogger } from '../helpers.js';
import { generateChain } from './fixtures.js';

const CHAIN = 31337;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('undecodable records are counted by reason and skipped; hostile strings and exact amounts survive the staging path', { timeout: 60_000 }, async () => {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-decode-'));
  dirs.push(lake);
  const config = testConfig({ LAKE_DIR: lake, KAFKA_PARTITIONS: '1' });
  const logger = testLogger();
  const metrics = createMetricsRegistry({ process: 'test' });
  const common = { config, logger, metrics, shutdown: createShutdown(logger, { installSignalHandlers: false }) };
  const kafka = createKafka(config, logger, 'decode-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  await admin.disconnect();

  const chain = generateChain({ chainId: CHAIN, blocks: 6, maxTxs: 4, seed: 4 });
  const blocks = chain.records.filter((r): r is BlockRecord => r.kind === 'block' && r.transactions.length >= 2);
  const tricky = structuredClone(blocks[0]!);
  const hostile = 'we"ird,\nname\t\\ é 🚀 ""';
  tricky.transactions[0]!.method = hostile;
  tricky.transactions[0]!.args = { 'a"b': 'x,"y"\n', '': '' };
  tricky.transactions[1]!.method = '';
  tricky.transactions[1]!.value = (2n ** 256n - 1n).toString();
  const good = [tricky, ...chain.records.filter((r) => r !== blocks[0])];
  const wrongChain = { ...structuredClone(blocks[1]!), chainId: 1 };
  const missing = JSON.parse(encodeRecord(blocks[1]!).toString()) as { block: Record<string, unknown> };
  delete missing.block.hash;
  const bad = ['{"schema": "chainlake.block.v1", "kind": "block", ', JSON.stringify({ ...blocks[1]!, schema: 'chainlake.block.v9' }), JSON.stringify(missing), JSON.stringify(wrongChain)];

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [...bad.slice(0, 2).map((value) => ({ key: '1', value })), ...good.slice(0, 3).map((r) => ({ key: recordKey(r), value: encodeRecord(r) }))] });
  await producer.send({ topic, messages: [...bad.slice(2).map((value) => ({ key: '1', value })), ...good.slice(3).map((r) => ({ key: recordKey(r), value: encodeRecord(r) }))] });
  await producer.disconnect();

  const duck = await createDuck({ threads: 1 });
  try {
    const s = await createCompactor(common, { kafka, duck }, { chainId: CHAIN, mode: 'drain' }).run();
    expect(s.undecodable).toBe(4);
    expect(s.records).toBe(good.length);
    const text = await metrics.metrics();
    for (const [reason, n] of [['bad_json', 1], ['unknown_schema', 1], ['invalid', 2]] as const)
      expect(text).toMatch(new RegExp(`chainlake_compact_undecodable_total\\{reason="${reason}"[^}]*\\} ${n}\\b`));
    const conn = await duck.connect();
    try {
      await registerLakeViews(conn, lakePaths(lake), { chainId: CHAIN });
      const offsets = await queryRows(conn, 'SELECT kafka_offset o FROM blocks UNION ALL SELECT kafka_offset FROM retractions ORDER BY 1');
      expect(offsets.map((r) => Number(r.o))).toEqual([2, 3, 4, ...good.slice(3).map((_, i) => 7 + i)]);
      const txs = await queryRows(conn, `SELECT method, args, value, to_address FROM transactions WHERE block_hash = '${tricky.block.hash}' ORDER BY transaction_index`);
      expect(txs).toEqual(
        tricky.transactions.map((t) => ({ method: t.method, args: t.args === null ? null : JSON.stringify(t.args), value: t.value, to_address: t.to })),
      );
      expect(txs[0]!.method).toBe(hostile);
      expect(txs[1]!.method).toBe('');
      const n = await queryRows(conn, 'SELECT count(*) n FROM transactions');
      expect(Number(n[0]!.n)).toBe(good.reduce((a, r) => a + (r.kind === 'block' ? r.transactions.length : 0), 0));
    } finally {
      conn.closeSync();
    }
  } finally {
    duck.close();
  }
});
