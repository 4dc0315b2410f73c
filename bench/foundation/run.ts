// Ceilings the later layers are judged against, measured in one run on this machine:
// Kafka produce with kafkajs next to Kafka's own ProducerPerformance (baseline), Cassandra
// inserts/s with executeConcurrent, DuckDB ZSTD Parquet writes. Needs Kafka + Cassandra
// (npm start, or `chainlake up --infra-only`). Prints one JSON document.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureTopic } from '../../storage/kafka.js';
import { createDuck, sqlString } from '../../storage/lake/duck.js';
import { jarDir } from '../../ops/jars.js';
import { machine, round, timed } from '../util.js';

const cfg = loadConfig();
const logger = createLogger({ level: 'warn', pretty: false });
const stamp = Date.now().toString(36);

async function kafkajsProduce(recordBytes: number, records: number) {
  const kafka = createKafka(cfg, logger, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.kafkajs.${recordBytes}.${stamp}`;
  await ensureTopic(admin, { ...cfg, KAFKA_MAX_MESSAGE_BYTES: 4 * 1024 * 1024 }, topic, 3);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const value = Buffer.alloc(recordBytes, 'x');
  const perSend = Math.max(1, Math.min(1000, Math.floor((1024 * 1024) / recordBytes)));
  const { seconds } = await timed(async () => {
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < records; i += perSend) {
      const n = Math.min(perSend, records - i);
      inFlight.push(producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ key: String(i + j), value })) }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  });
  await producer.disconnect();
  return { recordBytes, records, seconds: round(seconds, 2), recordsPerSec: round(records / seconds), mbPerSec: round((records * recordBytes) / seconds / 2 ** 20, 1) };
}

async function producerPerformance(recordBytes: number, records: number) {
  const kafka = createKafka(cfg, logger, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.java.${recordBytes}.${stamp}`;
  await ensureTopic(admin, { ...cfg, KAFKA_MAX_MESSAGE_BYTES: 4 * 1024 * 1024 }, topic, 3);
  await admin.disconnect();
  const r = spawnSync(
    'java',
    ['-Xmx512m', '-cp', `${jarDir(cfg.CACHE_DIR, 'kafka')}/*`, 'org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(records), '--record-size', String(recordBytes), '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${cfg.KAFKA_BROKERS.join(',')}`, 'acks=all', 'enable.idempotence=true', 'max.request.size=4194304'],
    { encoding: 'utf8' },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(line);
  if (!m) throw new Error(`ProducerPerformance output not understood: ${r.stdout.slice(-500)}${r.stderr.slice(-500)}`);
  return { recordBytes, records, recordsPerSec: round(Number(m[2])), mbPerSec: round(Number(m[3]), 1) };
}

async function cassandraInserts(rows: number) {
  const bcfg = { ...cfg, CASSANDRA_KEYSPACE: `bench_${stamp}` };
  const client = await createCassandra(bcfg, logger, { migrations: [] });
  await client.execute('CREATE TABLE IF NOT EXISTS bench_rows (pk text, ck bigint, a text, b varint, c int, PRIMARY KEY (pk, ck))');
  const params = Array.from({ length: rows }, (_, i) => [`p${i % 1000}`, i, `0x${i.toString(16).padStart(64, '0')}`, cassandra.types.Integer.fromString(String(10n ** 20n + BigInt(i))), i % 7]);
  const { seconds } = await timed(() => cassandra.concurrent.executeConcurrent(client, 'INSERT INTO bench_rows (pk, ck, a, b, c) VALUES (?, ?, ?, ?, ?)', params, { concurrencyLevel: 256 }));
  await client.execute(`DROP KEYSPACE ${bcfg.CASSANDRA_KEYSPACE}`);
  await client.shutdown();
  return { rows, seconds: round(seconds, 2), rowsPerSec: round(rows / seconds) };
}

async function duckdbParquet(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-duck-'));
  const duck = await createDuck({ threads: cfg.DUCKDB_THREADS, memoryLimit: '2GB' });
  const conn = await duck.connect();
  await conn.run(`CREATE TABLE t AS SELECT range AS block_number, '0x' || md5(range::VARCHAR) || md5((range+1)::VARCHAR) AS hash, '0x' || substr(md5((range % 5000)::VARCHAR), 1, 40) AS from_address,
    CAST(range AS DECIMAL(38,0)) * 1000000000 AS value, CAST(21000 + range % 100000 AS DECIMAL(38,0)) AS gas_used, (range % 3)::INTEGER AS tx_class FROM range(${rows})`);
  const file = join(dir, 'tx.parquet');
  const { seconds } = await timed(() => conn.run(`COPY t TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`));
  duck.close();
  rmSync(dir, { recursive: true, force: true });
  return { rows, seconds: round(seconds, 2), rowsPerSec: round(rows / seconds) };
}

const out = {
  bench: 'foundation',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: {
    kafkajs_100KB: await kafkajsProduce(100 * 1024, 2_000),
    producerPerformance_100KB: await producerPerformance(100 * 1024, 2_000),
    kafkajs_1KB: await kafkajsProduce(1024, 100_000),
    producerPerformance_1KB: await producerPerformance(1024, 100_000),
  },
  cassandra: { executeConcurrent: await cassandraInserts(100_000) },
  duckdb: { parquetZstdWrite: await duckdbParquet(5_000_000) },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
