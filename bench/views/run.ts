// Speed-views benchmark: prefill a private block topic with ≥ 200,000 txs of synthetic blocks,
// then time the views consumer until its group caught up (tx/s, rows/s). Baseline in the same
// run: a raw cassandra-driver executeConcurrent insert loop into a table shaped like
// views_txs_by_address, same concurrency. Progress on stderr, JSON on stdout.
//   npx tsx bench/views/run.ts [--txs 200000] [--addresses 20000] [--raw-rows 200000]
import cassandra from 'cassandra-driver';
import { parseConfig } from '../../core/config.js';
import { createCommon } from '../../core/runtime.js';
import { createViewsConsumer } from '../../speed/views/consumer.js';
import { blockRows } from '../../speed/views/rows.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { generateStream } from '../../test/views/fixtures.js';
import { caughtUp, produceStream } from '../../test/views/harness.js';
import { machine, peakRssMiB, round, timed, benchArgs } from '../util.js';

const args = benchArgs(import.meta.url, {
    txs: { type: 'string', default: '200000' },
    addresses: { type: 'string', default: '20000' },
    'raw-rows': { type: 'string', default: '200000' },
  });
const targetTxs = Number(args.txs);
const say = (m: string) => process.stderr.write(`[bench:views] ${m}\n`);
const stamp = Date.now().toString(36);
const CHAIN = 424_242;
const cfg = parseConfig({ ...process.env, CASSANDRA_KEYSPACE: `bench_views_${stamp}`, KAFKA_TOPIC_PREFIX: `bench-views-${stamp}`, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', VIEWS_METRICS_PORT: '0' });
const common = createCommon('bench-views', { config: cfg, installSignalHandlers: false });
const client = await createCassandra(cfg, common.logger);
const kafka = createKafka(cfg, common.logger, 'bench-views');
const admin = kafka.admin();
await admin.connect();
const { blocks: topic, dlq } = await ensureChainTopics(admin, cfg, CHAIN);

// 1. Prefill, in segments so the generated objects never all sit in memory.
let txs = 0;
let rows = 0;
let records = 0;
let bytes = 0;
const now = Math.floor(Date.now() / 1000);
const prefill = await timed(async () => {
  for (let seg = 0; txs < targetTxs; seg++) {
    const s = generateStream({ chainId: CHAIN, seed: 1_000 + seg, blocks: 100, startNumber: 1_000_000 + seg * 100, startTime: now - 6 * 3_600 + seg * 1_200, maxTxs: 150, eoaCount: Number(args.addresses) });
    for (const r of s.records) {
      if (r.kind !== 'block') continue;
      txs += r.transactions.length;
      rows += blockRows(r).length + 1; // + manifest
      bytes += JSON.stringify(r).length;
    }
    records += s.records.length;
    await produceStream(kafka, topic, s.records, cfg.KAFKA_PARTITIONS);
    say(`prefilled ${txs} txs in ${records} records`);
  }
});

// 2. Views consumer until caught up.
const consumer = createViewsConsumer(common, { cassandra: client, kafka, chainId: CHAIN });
const joinStart = Date.now();
await consumer.start();
while (!consumer.isReady()) await new Promise((r) => setTimeout(r, 20));
const joinSeconds = (Date.now() - joinStart) / 1000;
const views = await timed(async () => {
  let last = 0;
  while (!(await caughtUp(admin, consumer.groupId, topic))) {
    await new Promise((r) => setTimeout(r, 250));
    if (Date.now() - last > 5_000) {
      last = Date.now();
      const committed = await admin.fetchOffsets({ groupId: consumer.groupId, topics: [topic] });
      say(`views: committed ${committed[0]?.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0)} / ${records} records`);
    }
  }
});
await consumer.stop();

// 3. Raw baseline: executeConcurrent of single prepared inserts, same concurrency, similar table.
await client.execute(`CREATE TABLE IF NOT EXISTS bench_raw_txs_by_address (chain_id int, address text, day text, block_number bigint, tx_index int, side text,
  tx_hash text, block_hash text, block_time timestamp, counterparty text, value varint, tx_class text, method text, status int, fee varint,
  PRIMARY KEY ((chain_id, address, day), block_number, tx_index, side)) WITH CLUSTERING ORDER BY (block_number DESC, tx_index DESC, side DESC)`);
const rawRows = Number(args['raw-rows']);
const addr = (i: number) => `0x${(i % Number(args.addresses)).toString(16).padStart(40, '0')}`;
const hash = (i: number) => `0x${i.toString(16).padStart(64, '0')}`;
const params = Array.from({ length: rawRows }, (_, i) => [CHAIN, addr(i * 7919), '2026-11-25', 1_000_000 + Math.floor(i / 80), i % 80, i % 2 ? 'from' : 'to', hash(i), hash(i >> 6), Date.now(), addr(i), '123456789012345678901234', 'contract_call', 'transfer', 1, '21000000000000']);
const raw = await timed(() =>
  cassandra.concurrent.executeConcurrent(
    client,
    `INSERT INTO bench_raw_txs_by_address (chain_id, address, day, block_number, tx_index, side, tx_hash, block_hash, block_time, counterparty, value, tx_class, method, status, fee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params,
    { concurrencyLevel: cfg.VIEWS_CONCURRENCY },
  ),
);

const viewsRowsPerSecond = rows / views.seconds;
const rawRowsPerSecond = rawRows / raw.seconds;
const result = {
  suite: 'views',
  date: new Date().toISOString(),
  machine: machine(),
  config: { concurrency: cfg.VIEWS_CONCURRENCY, batchStatements: (cfg as { VIEWS_BATCH_STATEMENTS?: number }).VIEWS_BATCH_STATEMENTS ?? 1, partitions: cfg.KAFKA_PARTITIONS, consistency: cfg.CASSANDRA_CONSISTENCY, addresses: Number(args.addresses) },
  input: { txs, records, rows, megabytes: round(bytes / 2 ** 20, 1) },
  prefill: { seconds: round(prefill.seconds, 1) },
  views: {
    groupJoinSeconds: round(joinSeconds, 1),
    catchUpSeconds: round(views.seconds, 1),
    txPerSecond: Math.round(txs / views.seconds),
    rowWritesPerSecond: Math.round(viewsRowsPerSecond),
  },
  rawBaseline: { rows: rawRows, seconds: round(raw.seconds, 1), rowWritesPerSecond: Math.round(rawRowsPerSecond) },
  viewsVsRaw: round(viewsRowsPerSecond / rawRowsPerSecond, 2),
  targets: { txPerSecond: 5_000, viewsVsRaw: 0.7 },
  peakRssMiB: peakRssMiB(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

await client.execute(`DROP KEYSPACE ${cfg.CASSANDRA_KEYSPACE}`).catch(() => {});
await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => {});
await admin.disconnect();
await client.shutdown();
await common.shutdown.run('bench done');
process.exit(0);
