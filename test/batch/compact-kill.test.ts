// Exactly-once compaction under ≥ 10 random kill -9 of a compactor child process while the
// topic is being produced: afterwards every topic record is in the lake exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { registerLakeViews } from '../../storage/lake/canonical.js';
import { createDuck, queryRows } from '../../storage/lake/duck.js';
import { testConfig, testLogger, uniqueName } from '../helpers.js';
import { generateChain, rng } from './fixtures.js';
import { createRecordProducer, readTopic } from './kafka-helpers.js';
import { referenceCanonical } from './reference.js';

const CHAIN = 31337;
const children = new Set<ChildProcess>();
let lakeDir = '';
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

test('compaction survives 12 random kill -9 while producing: lake rows == topic records, canonical == topic canonical', { timeout: 180_000 }, async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-kill-'));
  const config = testConfig({ LAKE_DIR: lakeDir });
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.KILL_TEST_LOG ?? 'error',
    LAKE_DIR: lakeDir,
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
    COMPACT_ROLL_MS: '100',
    COMPACT_ROLL_BYTES: '40000',
  };
  const kafka = createKafka(config, testLogger(), 'kill-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  await admin.disconnect();

  const chain = generateChain({ chainId: CHAIN, blocks: 1500, maxTxs: 4, reorgEvery: 9, reorgDepth: 3, seed: 11, startTime: Date.UTC(2026, 1, 1, 20) / 1000 });
  const recordProducer = await createRecordProducer(kafka, topic);
  const KILLS = 12;
  const sliceSize = Math.ceil(chain.records.length / (KILLS + 1));
  const produceSlice = async (k: number) => {
    const slice = chain.records.slice(k * sliceSize, (k + 1) * sliceSize);
    for (let i = 0; i < slice.length; i += 8) {
      await recordProducer.send(slice.slice(i, i + 8));
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const startChild = (mode: 'continuous' | 'drain') => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/batch/compact-child.ts', String(CHAIN), mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
    return { child, exited, output: () => out };
  };

  const r = rng(2024);
  let rollsSeen = 0;
  for (let kills = 0; kills < KILLS; kills++) {
    const c = startChild('continuous');
    // Produce while this child runs; kill -9 it at a random moment after its first committed roll.
    const producing = produceSlice(kills);
    const deadline = Date.now() + 20_000;
    while (!c.output().includes('"roll"') && Date.now() < deadline && c.child.exitCode === null) await new Promise((res) => setTimeout(res, 20));
    if (c.output().includes('"roll"')) rollsSeen++;
    await new Promise((res) => setTimeout(res, 20 + r.int(400)));
    expect(c.child.exitCode, c.output()).toBeNull();
    c.child.kill('SIGKILL');
    await c.exited;
    await producing;
  }
  await produceSlice(KILLS);
  await recordProducer.close();
  expect(rollsSeen).toBeGreaterThanOrEqual(KILLS - 2);

  const final = startChild('drain');
  expect(await final.exited, final.output()).toBe(0);

  const published = await readTopic(kafka, topic, uniqueName('reader'));
  expect(published.length).toBe(chain.records.length);
  const duck = await createDuck({ threads: 2 });
  const conn = await duck.connect();
  try {
    await registerLakeViews(conn, lakePaths(lakeDir), { chainId: CHAIN });
    const lakeRecords = await queryRows(
      conn,
      `SELECT kafka_partition p, kafka_offset o, count(*) n FROM (SELECT kafka_partition, kafka_offset FROM blocks UNION ALL SELECT kafka_partition, kafka_offset FROM retractions) GROUP BY ALL ORDER BY p, o`,
    );
    expect(lakeRecords.filter((x) => Number(x.n) !== 1)).toEqual([]);
    expect(lakeRecords.map((x) => `${x.p}:${x.o}`)).toEqual(published.map((p) => `${p.partition}:${p.offset}`).sort((a, b) => {
      const [ap, ao] = a.split(':').map(Number);
      const [bp, bo] = b.split(':').map(Number);
      return ap! - bp! || ao! - bo!;
    }));
    const expectedTxs = published.reduce((a, p) => a + (p.record.kind === 'block' ? p.record.transactions.length : 0), 0);
    expect(Number((await queryRows(conn, 'SELECT count(*) n FROM transactions'))[0]!.n)).toBe(expectedTxs);
    const txDup = await queryRows(conn, 'SELECT kafka_partition, kafka_offset, hash, count(*) n FROM transactions GROUP BY ALL HAVING count(*) > 1');
    expect(txDup).toEqual([]);
    const canon = referenceCanonical(published);
    const lakeCanon = await queryRows(conn, 'SELECT number, hash FROM canonical_blocks ORDER BY number');
    expect(lakeCanon.map((x) => `${x.number}:${x.hash}`)).toEqual([...canon.values()].sort((a, b) => a.block.number - b.block.number).map((b) => `${b.block.number}:${b.block.hash}`));
  } finally {
    conn.closeSync();
    duck.close();
  }
  // No staging or committed-but-unmoved roll survives a clean start.
  expect((await readdir(join(lakeDir, '_tmp'))).filter((n) => n.startsWith('compact-'))).toEqual([]);
});
