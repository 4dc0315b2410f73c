// Merging the small files of closed days: every (table, chain, day) directory of a closed day
// becomes one Parquet file named after the offset spans it holds (storage/lake/files.ts
// mergedFileName). Same discipline as a roll (writer.ts):
//
//   1. the merged files are written into _tmp/compact-c<chain>-merge-<id>.staging/…
//   2. the staging dir is renamed to ….commit                  ← the commit point
//   3. each merged file is renamed into its day directory, then the commit dir is removed
//   4. the files it supersedes are deleted once they are older than COMPACT_MERGE_KEEP_MS
//
// Readers ignore a file as soon as a merged file of its directory covers its spans, so between
// 3 and 4 nothing is counted twice, and a reader that listed the directory before step 3 still
// finds its files for COMPACT_MERGE_KEEP_MS. A crash before 2 leaves the small files; after 2
// recoverRolls (same prefix) finishes step 3 and the next sweep does step 4. Runs only inside a
// compactor holding the chain's lock, after rolls are complete.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { type RawTable, RAW_COLUMNS } from '../../storage/lake/schema.js';
import type { LakePaths } from '../../storage/lake/paths.js';
import { rawRelationSql } from '../../storage/lake/canonical.js';
import { completeRanges, fileSpans, isSuperseded, listAllRawFiles, mergedFileName, type OffsetSpan, type RawFile } from '../../storage/lake/files.js';
import { sqlString } from '../../storage/lake/duck.js';

/** Longest merged file name we write (file systems allow 255 bytes). */
const MAX_NAME = 240;

export type MergeResult = { days: number; filesIn: number; filesOut: number; deleted: number; skipped: number };

/**
 * The closed days of a chain: days before the earliest of the partitions' latest days, i.e.
 * every partition that has data has already written files of a later day.
 */
export function closedDayLimit(files: RawFile[]): string | null {
  const latest = new Map<number, string>();
  for (const f of files) for (const s of fileSpans(f)) if ((latest.get(s.partition) ?? '') < f.day) latest.set(s.partition, f.day);
  if (latest.size === 0) return null;
  return [...latest.values()].reduce((a, b) => (a < b ? a : b));
}

/** Union of the spans of a directory's files, one per partition. */
export function unionSpans(files: RawFile[]): OffsetSpan[] {
  const by = new Map<number, OffsetSpan>();
  for (const f of files)
    for (const s of fileSpans(f)) {
      const u = by.get(s.partition);
      by.set(s.partition, u ? { partition: s.partition, first: Math.min(u.first, s.first), last: Math.max(u.last, s.last) } : { ...s });
    }
  return [...by.values()].sort((a, b) => a.partition - b.partition);
}

/**
 * Delete files superseded by a merged file of their directory once the merged file is older
 * than keepMs. `listed`: the chain's files when the caller has just listed them and nothing moved since.
 */
export async function sweepSuperseded(paths: LakePaths, chainId: number, keepMs: number, now = Date.now(), listed?: RawFile[]): Promise<number> {
  const all = listed ?? (await listAllRawFiles(paths, chainId));
  const merged = all.filter((f) => f.spans);
  if (merged.length === 0) return 0;
  const age = new Map<string, number>();
  let deleted = 0;
  for (const f of all) {
    const by = merged.filter((m) => isSuperseded(f, [m]));
    if (by.length === 0) continue;
    let oldEnough = false;
    for (const m of by) {
      if (!age.has(m.path)) age.set(m.path, await stat(m.path).then((s) => now - s.mtimeMs, () => -1));
      if (age.get(m.path)! >= keepMs) oldEnough = true;
    }
    if (!oldEnough) continue;
    await unlink(f.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    deleted++;
  }
  return deleted;
}

/** Merge every closed day directory of the chain that holds more than one visible file. */
export async function mergeClosedDays(conn: DuckDBConnection, paths: LakePaths, chainId: number, opts: { keepMs: number; logger: Logger }): Promise<MergeResult> {
  const result: MergeResult = { days: 0, filesIn: 0, filesOut: 0, deleted: 0, skipped: 0 };
  const all = await listAllRawFiles(paths, chainId);
  const visible = completeRanges(all);
  const limit = closedDayLimit(visible);
  const visibleSet = new Set(visible.map((f) => f.path));
  const merged = all.filter((f) => f.spans);
  const dirs = new Map<string, { table: RawTable; day: string; files: RawFile[]; unsafe: boolean }>();
  if (limit !== null) {
    for (const f of all) {
      if (f.day >= limit) continue;
      const key = `${f.table}/${f.day}`;
      let d = dirs.get(key);
      if (!d) dirs.set(key, (d = { table: f.table, day: f.day, files: [], unsafe: false }));
      if (visibleSet.has(f.path)) d.files.push(f);
      // A file neither visible nor superseded belongs to an incomplete range: leave the directory alone.
      else if (!isSuperseded(f, merged)) d.unsafe = true;
    }
  }
  const work = [...dirs.values()].filter((d) => !d.unsafe && d.files.length > 1);
  if (work.length > 0) {
    const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const staging = join(paths.tmp, `compact-c${chainId}-merge-${id}.staging`);
    const commit = join(paths.tmp, `compact-c${chainId}-merge-${id}.commit`);
    const cols = (t: RawTable) => RAW_COLUMNS[t].map((c) => c.name).join(', ');
    const moves: { rel: string; dest: string }[] = [];
    for (const d of work) {
      const spans = unionSpans(d.files);
      const name = mergedFileName(spans);
      if (name.length > MAX_NAME) {
        // Too many partitions for one name: the day keeps its small files (see docs/batch.md).
        opts.logger.warn({ msg: 'Not merging a day: merged file name would be too long', table: d.table, day: d.day, partitions: spans.length });
        result.skipped++;
        continue;
      }
      const rel = join(d.table, `chain=${chainId}`, `date=${d.day}`, name);
      await mkdir(dirname(join(staging, rel)), { recursive: true });
      // Read through rawRelationSql: a day may hold files of an older lake schema, merged into the current one.
      await conn.run(
        `COPY (SELECT ${cols(d.table)} FROM ${rawRelationSql(d.table, d.files.map((f) => f.path))} ORDER BY kafka_partition, kafka_offset) TO ${sqlString(join(staging, rel))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      moves.push({ rel, dest: join(paths.raw, rel) });
      result.days++;
      result.filesIn += d.files.length;
      result.filesOut++;
    }
    if (moves.length === 0) await rm(staging, { recursive: true, force: true });
    else {
      await rename(staging, commit);
      for (const m of moves) await rename(join(commit, m.rel), m.dest);
      await rm(commit, { recursive: true, force: true });
    }
  }
  // One listing serves the sweep too unless this run moved merged files in.
  result.deleted = await sweepSuperseded(paths, chainId, opts.keepMs, Date.now(), result.filesOut > 0 ? undefined : all);
  if (result.days > 0 || result.deleted > 0) opts.logger.info({ msg: 'Merged closed days', chainId, ...result });
  return result;
}
