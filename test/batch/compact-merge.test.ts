// Merging the small files of closed days, with real Kafka and DuckDB: rows before and after a
// merge are identical, a closed day ends with one file per table, readers never count a row
// twice at any crash point, and kill -9 of a merging compactor leaves a lake from which
// compaction still resumes exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { closedDayLimit, mergeClosedDays } from '../../batch/compact/merge.js';
import { recoverRolls, resumeOffsets } from '../../batch/compact/writer.js';
import type { Common } from '../../core/common.js';
import type { Config } from '../../core/config.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { RAW_TABLES } from '../../storage/lake/schema.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { listAllRawFiles, listRawFiles } from '../../storage/lake/files.js';
import { registerLakeViews } from '../../storage/lake/canonical.js';
import { createDuck, type Duck, queryRows } from '../../storage/lake/duck.js';
import { testConfig, testLogger, uniqueName } from '../helpers.js';
import { generateChain, rng } from './fixtures.js';
import { produceRecords, readTopic } from './kafka-helpers.js';

const CHAIN = 31337;
const dirs: string[] = [];
const children = new Set<ChildProcess>();
let duck: Duck;
let config: Config;
let topic: string;
let base: string;

beforeAll(async () => {
  duck = await createDuck({ threads: 2, memoryLimit: '1GB' });
  base = await mkdtemp(join(tmpdir(), 'chainlake-merge-'));
  dirs.push(base);
  config = testConfig({ LAKE_DIR: join(base, 'lake'), COMPACT_ROLL_MS: '200', COMPACT_ROLL_BYTES: '60000', COMPACT_MERGE_CLOSED_DAYS: 'false', COMPACT_MERGE_KEEP_MS: '0' });
  const kafka = createKafka(config, testLogger(), 'merge-test');
  const admin = kafka.admin();
  await admin.connect();
  topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  await admin.disconnect();
  // ~4 days of blocks (one every 20 min) with reorgs, so retractions land in earlier days too.
  const chain = generateChain({ chainId: CHAIN, blocks: 280, startTime: Date.UTC(2026, 3, 1, 20) / 1000, blockSeconds: 1200, maxTxs: 8, reorgEvery: 6, reorgDepth: 2, seed: 3 });
  await produceRecords(kafka, topic, chain.records, 40);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  duck?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const commonFor = (over: Partial<Config>): Common => {
  const logger = testLogger();
  return { config: { ...config, ...over }, logger, metrics: createMetricsRegistry({ process: 'test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
};

/** Every raw row as text, sorted: what a reader sees through listRawFiles. */
async function lakeRows(lake: string): Promise<string[]> {
  const conn = await duck.connect();
  try {
    await registerLakeViews(conn, lakePaths(lake), { chainId: CHAIN });
    const out: string[] = [];
    for (const t of RAW_TABLES) for (const r of await queryRows(conn, `SELECT * FROM ${t}`)) out.push(`${t}:${JSON.stringify(r)}`);
    return out.sort();
  } finally {
    conn.closeSync();
  }
}

const filesPerDir = (files: { table: string; day: string }[]) => {
  const m = new Map<string, number>();
  for (const f of files) m.set(`${f.table}/${f.day}`, (m.get(`${f.table}/${f.day}`) ?? 0) + 1);
  return m;
};

let unmerged = '';
let unmergedRows: string[] = [];

test('merging closed days keeps every row, leaves one file per table per closed day, and keeps the resume offsets', { timeout: 120_000 }, async () => {
  const lake = config.LAKE_DIR;
  const kafka = createKafka(config, testLogger(), 'merge-test');
  const s = await createCompactor(commonFor({}), { kafka, duck }, { chainId: CHAIN, mode: 'drain' }).run();
  expect(s.mergedDays).toBe(0);
  const paths = lakePaths(lake);
  const before = await listRawFiles(paths, CHAIN);
  const limit = closedDayLimit(before)!;
  const closedBefore = [...filesPerDir(before)].filter(([k]) => k.split('/')[1]! < limit);
  expect(new Set(before.map((f) => f.day)).size).toBeGreaterThanOrEqual(4);
  expect(closedBefore.some(([, n]) => n > 1)).toBe(true);
  unmergedRows = await lakeRows(lake);
  const offsets = await resumeOffsets(paths, CHAIN);
  unmerged = join(base, 'unmerged');
  await cp(lake, unmerged, { recursive: true });

  const m = await createCompactor(commonFor({}), { kafka, duck }, { chainId: CHAIN, mode: 'drain', mergeOnly: true }).run();
  expect(m.mergedDays).toBe(closedBefore.filter(([, n]) => n > 1).length);
  expect(await lakeRows(lake)).toEqual(unmergedRows);
  expect(await resumeOffsets(paths, CHAIN)).toEqual(offsets);
  // One file per table per closed day, on disk too (COMPACT_MERGE_KEEP_MS=0); open days untouched.
  const after = await listAllRawFiles(paths, CHAIN);
  for (const [key, n] of filesPerDir(after)) {
    if (key.split('/')[1]! < limit) expect({ key, n }).toEqual({ key, n: 1 });
    else expect({ key, n }).toEqual({ key, n: filesPerDir(before).get(key) });
  }
  expect(after.filter((f) => f.day < limit).every((f) => f.spans !== undefined)).toBe(true);
  const types = await (async () => {
    const conn = await duck.connect();
    try {
      const f = after.find((x) => x.table === 'transactions' && x.spans)!.path;
      return await queryRows(conn, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${f}')) WHERE column_name IN ('value','fee','kafka_offset')`);
    } finally {
      conn.closeSync();
    }
  })();
  expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({ value: 'VARCHAR', fee: 'DECIMAL(38,0)', kafka_offset: 'BIGINT' });
  // A second merge has nothing to do.
  expect((await mergeClosedDays(await duck.connect(), paths, CHAIN, { keepMs: 0, logger: testLogger() })).days).toBe(0);
});

test('readers never count a row twice or miss one at any step of a merge, and recovery finishes it', { timeout: 60_000 }, async () => {
  expect(unmerged).not.toBe('');
  const lake = join(base, 'steps');
  await cp(unmerged, lake, { recursive: true });
  const paths = lakePaths(lake);
  const conn = await duck.connect();
  try {
    // Superseded files kept (keepMs large): the merged files and the old ones are all on disk.
    await mergeClosedDays(conn, paths, CHAIN, { keepMs: 3_600_000, logger: testLogger() });
    const all = await listAllRawFiles(paths, CHAIN);
    const merged = all.filter((f) => f.spans);
    expect(all.length).toBeGreaterThan(merged.length + 4);
    expect(await lakeRows(lake)).toEqual(unmergedRows);
    // Crash after the commit rename with only some merged files moved: take the others back into a .commit dir.
    const commitDir = join(paths.tmp, 'compact-c31337-merge-crashed.commit');
    for (const f of merged.slice(0, Math.ceil(merged.length / 2))) {
      const dest = join(commitDir, f.path.slice(paths.raw.length + 1));
      await mkdir(dirname(dest), { recursive: true });
      await rename(f.path, dest);
    }
    expect(await lakeRows(lake)).toEqual(unmergedRows);
    expect(await recoverRolls(paths, CHAIN, testLogger())).toEqual({ rolledForward: 1, discarded: 0 });
    expect(await lakeRows(lake)).toEqual(unmergedRows);
    expect((await listAllRawFiles(paths, CHAIN)).filter((f) => f.spans).length).toBe(merged.length);
    // The sweep deletes superseded files once they are old enough.
    const r = await mergeClosedDays(conn, paths, CHAIN, { keepMs: 0, logger: testLogger() });
    expect(r.days).toBe(0);
    expect(r.deleted).toBe(all.length - (await listAllRawFiles(paths, CHAIN)).length);
    expect(r.deleted).toBeGreaterThan(0);
    expect(await lakeRows(lake)).toEqual(unmergedRows);
  } finally {
    conn.closeSync();
  }
});

test('kill -9 of a merging compactor at random moments: the lake stays consistent and compaction resumes exactly once', { timeout: 240_000 }, async () => {
  expect(unmerged).not.toBe('');
  const r = rng(77);
  const states = new Set<string>();
  const lake = join(base, 'killed');
  for (let i = 0; i < 8; i++) {
    await rm(lake, { recursive: true, force: true });
    await cp(unmerged, lake, { recursive: true });
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      LAKE_DIR: lake,
      KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
      COMPACT_MERGE_KEEP_MS: '0',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/batch/compact-child.ts', String(CHAIN), 'merge'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((res) => child.once('exit', () => (children.delete(child), res())));
    while (!out.includes('"started"') && child.exitCode === null) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, r.int(600)));
    child.kill('SIGKILL');
    await exited;
    // Crashed state, before any recovery: readers see every row exactly once.
    const tmp = await readdir(join(lake, '_tmp')).catch(() => []);
    const all = await listAllRawFiles(lakePaths(lake), CHAIN);
    states.add(`${tmp.map((n) => n.replace(/^.*\./, '')).sort().join('+')}|merged=${all.some((f) => f.spans)}|done=${out.includes('"merge"')}`);
    expect(await lakeRows(lake)).toEqual(unmergedRows);
  }
  // The kills hit different phases (before, during and after the merge).
  expect(states.size).toBeGreaterThanOrEqual(2);

  // Recovery + more records + a compactor with merging on: every topic record is in the lake exactly once.
  const kafka = createKafka(config, testLogger(), 'merge-test');
  const more = generateChain({ chainId: CHAIN, blocks: 80, startBlock: 281, startTime: Date.UTC(2026, 3, 5, 22) / 1000, blockSeconds: 600, maxTxs: 5, reorgEvery: 7, reorgDepth: 2, seed: 9 });
  await produceRecords(kafka, topic, more.records, 40);
  const s = await createCompactor(commonFor({ LAKE_DIR: lake, COMPACT_MERGE_CLOSED_DAYS: true }), { kafka, duck }, { chainId: CHAIN, mode: 'drain', groupId: uniqueName('g') }).run();
  expect(s.records).toBe(more.records.length);
  expect(s.mergedDays).toBeGreaterThan(0);
  const published = await readTopic(kafka, topic, uniqueName('reader'));
  const conn = await duck.connect();
  try {
    await registerLakeViews(conn, lakePaths(lake), { chainId: CHAIN });
    const rows = await queryRows(conn, `SELECT kafka_partition p, kafka_offset o, count(*) n FROM (SELECT kafka_partition, kafka_offset FROM blocks UNION ALL SELECT kafka_partition, kafka_offset FROM retractions) GROUP BY ALL ORDER BY p, o`);
    expect(rows.filter((x) => Number(x.n) !== 1)).toEqual([]);
    expect(rows.map((x) => `${x.p}:${x.o}`)).toEqual(published.map((p) => [p.partition, p.offset] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([p, o]) => `${p}:${o}`));
    const txs = Number((await queryRows(conn, 'SELECT count(*) n FROM transactions'))[0]!.n);
    expect(txs).toBe(published.reduce((a, p) => a + (p.record.kind === 'block' ? p.record.transactions.length : 0), 0));
  } finally {
    conn.closeSync();
  }
  const files = await listAllRawFiles(lakePaths(lake), CHAIN);
  const limit = closedDayLimit(await listRawFiles(lakePaths(lake), CHAIN))!;
  for (const [key, n] of filesPerDir(files)) if (key.split('/')[1]! < limit) expect({ key, n }).toEqual({ key, n: 1 });
  expect((await readdir(join(lake, '_tmp'))).filter((n) => n.startsWith('compact-'))).toEqual([]);
});
