// Real Kafka + real DuckDB: compaction into the lake, the canonical rule, batch views against a
// plain-JS recomputation, and incremental == full.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runLakeSql } from '../../batch/sql-runner.js';
import { createCompactor } from '../../batch/compact/compactor.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { ValidationError } from '../../core/errors.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { listRawFiles } from '../../storage/lake/files.js';
import { registerLakeViews } from '../../storage/lake/canonical.js';
import { BATCH_VIEWS, readBatchVersion, viewFile } from '../../storage/lake/versions.js';
import { queryRows, sqlString } from '../../storage/lake/duck.js';
import { readBlockSeries, readStats, readTokenVolume, readTopContracts, readTopSenders } from '../../storage/lake/readers.js';
import { uniqueName } from '../helpers.js';
import { readViewRows, useBatchHarness } from './harness.js';
import { generateChain } from './fixtures.js';
import { produceRecords, readTopic } from './kafka-helpers.js';
import { referenceCanonical, referenceViews } from './reference.js';

const CHAIN = 31337;

const h = useBatchHarness({ chainId: CHAIN, finalityDepth: 4, name: 'batch-test' });

const drain = (groupSuffix = '') => createCompactor(h.common, { kafka: h.kafka, duck: h.duck }, { chainId: CHAIN, mode: 'drain', ...(groupSuffix ? { groupId: `${h.topic}.${groupSuffix}` } : {}) }).run();

const viewRows = (version: string, view: (typeof BATCH_VIEWS)[number]) => readViewRows(h, version, view);

describe('batch layer over real Kafka and DuckDB', () => {
  // Day 1: 23:50 → past midnight, so the data spans two UTC days; reorgs every 7 blocks.
  const first = generateChain({ chainId: CHAIN, blocks: 120, startTime: Date.UTC(2026, 0, 1, 23, 50) / 1000, blockSeconds: 12, reorgEvery: 7, reorgDepth: 2, seed: 7 });

  test('compaction writes every h.topic record once and the lake canonical rows equal the h.topic canonical blocks', async () => {
    await produceRecords(h.kafka, h.topic, first.records);
    const s1 = await drain();
    expect(s1.records).toBe(first.records.length);
    // A second drain finds nothing new: the lake position, not Kafka, decides.
    const s2 = await drain('fresh-group');
    expect(s2.records).toBe(0);

    const published = await readTopic(h.kafka, h.topic, uniqueName('reader'));
    const canon = referenceCanonical(published);
    const conn = await h.duck.connect();
    try {
      await registerLakeViews(conn, lakePaths(h.lakeDir), { chainId: CHAIN });
      const counts = (await queryRows(conn, `SELECT (SELECT count(*) FROM blocks) b, (SELECT count(*) FROM retractions) r, (SELECT count(*) FROM transactions) t`))[0]!;
      const nBlocks = published.filter((p) => p.record.kind === 'block').length;
      expect(Number(counts.b)).toBe(nBlocks);
      expect(Number(counts.r)).toBe(published.length - nBlocks);
      const lakeCanon = await queryRows(conn, 'SELECT number, hash FROM canonical_blocks ORDER BY number');
      expect(lakeCanon.map((r) => [Number(r.number), r.hash])).toEqual([...canon.values()].sort((a, b) => a.block.number - b.block.number).map((b) => [b.block.number, b.block.hash]));
      const txs = await queryRows(conn, 'SELECT hash, value FROM canonical_transactions ORDER BY hash');
      const expectedTxs = [...canon.values()].flatMap((b) => b.transactions).map((t) => ({ hash: t.hash, value: t.value })).sort((a, b) => (a.hash < b.hash ? -1 : 1));
      expect(txs).toEqual(expectedTxs);
      const types = await queryRows(conn, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM transactions) WHERE column_name IN ('value','fee','gas_used')`);
      expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({ value: 'VARCHAR', fee: 'DECIMAL(38,0)', gas_used: 'DECIMAL(38,0)' });
    } finally {
      conn.closeSync();
    }
    const files = await listRawFiles(lakePaths(h.lakeDir), CHAIN);
    expect(new Set(files.map((f) => f.day))).toEqual(new Set(['2026-01-01', '2026-01-02']));
  });

  test('every batch view equals a plain JS recomputation and orphaned blocks appear in none', async () => {
    const published = await readTopic(h.kafka, h.topic, uniqueName('reader'));
    const result = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN });
    expect(result.mode).toBe('full');
    const ref = referenceViews(published, 4);
    expect(result.horizon).toBe(ref.horizon);
    for (const view of BATCH_VIEWS) expect({ view, rows: await viewRows(result.version, view) }).toEqual({ view, rows: ref.views[view] });

    const orphans = published.filter((p) => p.record.kind === 'retraction').map((p) => p.record.block.hash);
    expect(orphans.length).toBeGreaterThan(10);
    const series = await viewRows(result.version, 'block_series');
    const seriesHashes = new Set(series.map((r) => r.hash));
    for (const h of orphans) expect(seriesHashes.has(h)).toBe(false);

    const v = await readBatchVersion(lakePaths(h.lakeDir));
    expect(v).toMatchObject({ version: result.version, horizon: ref.horizon });
    const conn = await h.duck.connect();
    try {
      const day = await readStats({ paths: lakePaths(h.lakeDir), conn }, { granularity: 'day', from: 0, to: 2e9 });
      expect(day.map((d) => d.nativeValue)).toEqual(ref.views.stats_day!.map((r) => r.native_value));
      expect(day.some((d) => d.nativeValue.length > 38)).toBe(true);
      const ctx = { paths: lakePaths(h.lakeDir), conn };
      const firstDay = String(ref.views.top_senders_day![0]!.day);
      expect((await readTopSenders(ctx, firstDay, 5)).map((r) => [r.rank, r.address, r.txs, r.value])).toEqual(
        ref.views.top_senders_day!.filter((r) => r.day === firstDay && Number(r.rank) <= 5).map((r) => [r.rank, r.address, r.txs, r.value]),
      );
      expect((await readTopContracts(ctx, firstDay)).map((r) => [r.address, r.calls, r.gasUsed])).toEqual(
        ref.views.top_contracts_day!.filter((r) => r.day === firstDay).map((r) => [r.address, r.calls, r.gas_used]),
      );
      const volume = await readTokenVolume(ctx, { from: '2026-01-01', to: '2026-01-02' });
      expect(volume.map((r) => [r.day, r.token, r.amount]).sort()).toEqual(ref.views.token_volume_day!.map((r) => [r.day, r.token, r.amount]).sort());
    } finally {
      conn.closeSync();
    }
  });

  test('an incremental recompute after new data and a reorg equals a full recompute', async () => {
    const before = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN });
    // Continue the chain on the next day, with a reorg at the old tip.
    const more = generateChain({ chainId: CHAIN, blocks: 60, startBlock: 121, startTime: Date.UTC(2026, 0, 3, 10) / 1000, reorgEvery: 5, reorgDepth: 3, seed: 99 });
    await produceRecords(h.kafka, h.topic, more.records);
    await drain();
    const inc = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN });
    expect(inc.mode).toBe('incremental');
    expect(inc.previous).toBe(before.version);
    // Day 1 is below the old horizon and unchanged: it was copied, not recomputed.
    expect(inc.recomputedDays).not.toContain('2026-01-01');
    expect(inc.recomputedDays).toContain('2026-01-03');
    const full = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, full: true });
    expect(full.mode).toBe('full');
    for (const view of BATCH_VIEWS) expect({ view, rows: await viewRows(inc.version, view) }).toEqual({ view, rows: await viewRows(full.version, view) });
    const published = await readTopic(h.kafka, h.topic, uniqueName('reader'));
    expect(await viewRows(full.version, 'stats_hour')).toEqual(referenceViews(published, 4).views.stats_hour);
  });
});


describe('versions and the sql command', () => {
  test('readers during repeated version switches always see one whole version', async () => {
    const paths = lakePaths(h.lakeDir);
    let switching = true;
    let reads = 0;
    const seen = new Set<string>();
    const reader = (async () => {
      const conn = await h.duck.connect();
      try {
        while (switching) {
          const v = await readBatchVersion(paths);
          if (!v) continue;
          const manifest = JSON.parse(await readFile(join(paths.viewVersion(v.version), 'manifest.json'), 'utf8')) as { version: string; horizon: number; rowCounts: Record<string, number> };
          expect(manifest.version).toBe(v.version);
          for (const view of ['block_series', 'stats_minute'] as const) {
            const n = Number((await queryRows(conn, `SELECT count(*) n, max(${view === 'block_series' ? 'number' : 'last_block'}) m FROM read_parquet(${sqlString(viewFile(paths, v.version, view))})`))[0]!.n);
            expect(n).toBe(manifest.rowCounts[view]);
          }
          const series = await readBlockSeries({ paths, conn }, { from: 0, to: 1e9 });
          const after = await readBatchVersion(paths);
          // Rows read between two equal CURRENT reads belong to that version: never past its horizon.
          if (after?.version === v.version) expect(Math.max(...series.map((s) => s.number))).toBe(v.horizon);
          seen.add(v.version);
          reads++;
        }
      } finally {
        conn.closeSync();
      }
    })();
    for (let i = 0; i < 8; i++) {
      const depth = i % 2 === 0 ? '30' : '4';
      await recompute({ ...h.common, config: { ...h.common.config, FINALITY_DEPTH: Number(depth), VIEWS_KEEP_VERSIONS: 3 } }, { duck: h.duck }, { chainId: CHAIN, full: true });
    }
    switching = false;
    await reader;
    expect(reads).toBeGreaterThan(8);
    expect(seen.size).toBeGreaterThan(2);
    // Only VIEWS_KEEP_VERSIONS versions stay on disk.
    expect((await readdir(paths.views)).filter((n) => n.startsWith('v')).length).toBe(3);
  });

  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', ...args], { env: { ...process.env, LAKE_DIR: h.lakeDir, LOG_LEVEL: 'error' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  async function treeHash(dir: string): Promise<string> {
    const h = createHash('sha256');
    const walk = async (d: string) => {
      for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else h.update(p).update(await readFile(p));
      }
    };
    await walk(dir);
    return h.digest('hex');
  }

  test('chainlake sql answers over raw, canonical and batch views; bad SQL exits non-zero with one sentence and leaves the lake untouched', async () => {
    const before = await treeHash(h.lakeDir);
    const good = await cli(['sql', 'SELECT (SELECT count(*) FROM canonical_blocks) AS canon, (SELECT sum(blocks) FROM stats_day) AS batch_blocks, (SELECT count(*) FROM retractions) AS retractions', '--format', 'json']);
    expect(good.code, good.stderr).toBe(0);
    const row = (JSON.parse(good.stdout) as Record<string, string>[])[0]!;
    const conn = await h.duck.connect();
    try {
      await registerLakeViews(conn, lakePaths(h.lakeDir));
      const direct = (await queryRows(conn, 'SELECT count(*) AS canon, (SELECT sum(blocks) FROM stats_day) AS batch_blocks, (SELECT count(*) FROM retractions) AS retractions FROM canonical_blocks'))[0]!;
      expect(row).toEqual(direct);
    } finally {
      conn.closeSync();
    }
    const csv = await runLakeSql(h.common, 'SELECT day, txs FROM stats_day ORDER BY day', { format: 'csv' });
    expect(csv.split('\n')[0]).toBe('day,txs');

    const outDir = await mkdtemp(join(tmpdir(), 'chainlake-sql-out-'));
    const outFile = join(outDir, 'days.parquet');
    await runLakeSql(h.common, 'SELECT day, native_value FROM stats_day ORDER BY day', { format: 'parquet', out: outFile });
    const c2 = await h.duck.connect();
    try {
      const back = await queryRows(c2, `SELECT day, native_value FROM read_parquet(${sqlString(outFile)}) ORDER BY day`);
      const json = JSON.parse(await runLakeSql(h.common, 'SELECT day, native_value FROM stats_day ORDER BY day', { format: 'json' })) as unknown[];
      expect(back).toEqual(json);
      expect(back.length).toBeGreaterThan(1);
    } finally {
      c2.closeSync();
      await rm(outDir, { recursive: true, force: true });
    }
    await expect(runLakeSql(h.common, 'SELECT 1', { format: 'parquet', out: join(h.lakeDir, 'x.parquet') })).rejects.toThrow(/outside the lake/);

    const bad = await cli(['sql', 'SELEC * FROM blocks']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr.trim()).toMatch(/^chainlake: SQL error: .+[.!?]$/);
    for (const q of ['SELECT * FROM no_such_view', "COPY blocks TO '/tmp/x.parquet'", 'DROP VIEW blocks', 'SELECT 1; SELECT 2']) {
      const err = await runLakeSql(h.common, q, { format: 'table' }).then(() => null, (e: unknown) => e);
      expect(err, q).toBeInstanceOf(ValidationError);
      expect((err as Error).message.split('\n'), q).toHaveLength(1);
    }
    const badFlag = await cli(['sql', 'SELECT 1', '--format', 'xml']);
    expect(badFlag.code).not.toBe(0);
    expect(await treeHash(h.lakeDir)).toBe(before);
  });
});
