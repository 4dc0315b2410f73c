// Writes one roll (rows of several partitions' offset ranges, several tables and days) into the
// lake so that a crash at any instant leaves either all or none of a range's files visible:
//
//   1. every file is written by DuckDB (COPY from read_csv of the buffer's CSV text) into _tmp/compact-c<chain>-<roll>.staging/<table>/chain=/date=/
//   2. the staging dir is renamed to …commit            ← the commit point (one atomic rename)
//   3. each file is renamed to its final place under raw/, then the commit dir is removed
//
// On start, recoverRolls() rolls every *.commit dir forward (step 3 is idempotent) and deletes
// every *.staging dir. Resume offsets come from file names only (see resumeOffsets).
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { RAW_TABLES, type RawTable, duckType, RAW_COLUMNS } from '../../storage/lake/schema.js';
import type { LakePaths } from '../../storage/lake/paths.js';
import { fileSpans, listAllRawFiles, rawFileName } from '../../storage/lake/files.js';
import { sqlString } from '../../storage/lake/duck.js';
import type { RollBuffer } from './rows.js';

const rollPrefix = (chainId: number) => `compact-c${chainId}-`;

async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const e of entries) {
    const p = join(root, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else out.push(p);
  }
  return out;
}

/** Move every file of a committed roll into raw/ (skipping ones already moved), then drop the dir. */
async function rollForward(paths: LakePaths, commitDir: string): Promise<string[]> {
  const moved: string[] = [];
  for (const src of await walkFiles(commitDir)) {
    const rel = src.slice(commitDir.length + 1);
    const dest = join(paths.raw, rel);
    await mkdir(dirname(dest), { recursive: true });
    await rename(src, dest);
    moved.push(dest);
  }
  await rm(commitDir, { recursive: true, force: true });
  return moved;
}

/** Finish committed rolls and discard uncommitted ones of this chain. Call before computing resume offsets. */
export async function recoverRolls(paths: LakePaths, chainId: number, logger: Logger): Promise<{ rolledForward: number; discarded: number }> {
  await mkdir(paths.tmp, { recursive: true });
  let rolledForward = 0;
  let discarded = 0;
  for (const name of await readdir(paths.tmp)) {
    if (!name.startsWith(rollPrefix(chainId))) continue;
    const dir = join(paths.tmp, name);
    if (name.endsWith('.commit')) {
      await rollForward(paths, dir);
      rolledForward++;
    } else {
      await rm(dir, { recursive: true, force: true });
      discarded++;
    }
  }
  if (rolledForward + discarded > 0) logger.info({ msg: 'Recovered interrupted compaction rolls', chainId, rolledForward, discarded });
  return { rolledForward, discarded };
}

/** Next offset to read per partition: max(last offset in file names, merged files' spans included) + 1. */
export async function resumeOffsets(paths: LakePaths, chainId: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const f of await listAllRawFiles(paths, chainId)) for (const s of fileSpans(f)) out.set(s.partition, Math.max(out.get(s.partition) ?? 0, s.last + 1));
  return out;
}

/** read_csv of rows written by rows.ts rowsToCsv: explicit columns, no sniffing; decimals staged as VARCHAR. */
const readCsvSql = (table: RawTable, file: string, maxLineChars: number): string => {
  // DuckDB sizes its read buffers from max_line_size: keep the default unless a row needs more (UTF-8 ≤ 3 bytes per UTF-16 unit).
  const maxLineBytes = Math.max(2 * 1024 * 1024, 3 * maxLineChars + 1024);
  const columns = RAW_COLUMNS[table].map((col) => `'${col.name}': '${col.kind === 'dec38' ? 'VARCHAR' : duckType(col.kind)}'`);
  return `read_csv(${sqlString(file)}, columns = {${columns.join(', ')}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', allow_quoted_nulls = false, strict_mode = true, max_line_size = ${maxLineBytes})`;
};

/** Parquet projection: decimals were staged as VARCHAR; the HUGEINT hop is ~25× faster than a direct cast. */
const projection = (table: RawTable): string =>
  RAW_COLUMNS[table]
    .map((col) => (col.kind === 'dec38' ? `CAST(CAST(${col.name} AS HUGEINT) AS DECIMAL(38,0)) AS ${col.name}` : col.name))
    .join(', ');

export type RollResult = { files: string[]; ranges: { partition: number; first: number; last: number }[]; rows: Record<RawTable, number> };

/** Write and commit one roll. The buffer is not modified. */
export async function writeRoll(conn: DuckDBConnection, paths: LakePaths, chainId: number, buffer: RollBuffer): Promise<RollResult> {
  const rollId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const staging = join(paths.tmp, `${rollPrefix(chainId)}${rollId}.staging`);
  const commit = join(paths.tmp, `${rollPrefix(chainId)}${rollId}.commit`);
  const csvDir = join(paths.tmp, `${rollPrefix(chainId)}${rollId}.csv`);
  const rows = { blocks: 0, transactions: 0, token_transfers: 0, retractions: 0 } as Record<RawTable, number>;
  const parts = buffer.partitions();
  await mkdir(staging, { recursive: true });
  await mkdir(csvDir, { recursive: true });

  // Number of files per partition range, known before writing so each name carries it.
  const fileCount = new Map<number, number>();
  for (const [p, part] of parts) fileCount.set(p, [...part.tables.values()].reduce((a, byDay) => a + byDay.size, 0));

  try {
    // One CSV file per output file, COPY'd straight from read_csv: no staging table in DuckDB.
    let n = 0;
    for (const table of RAW_TABLES) {
      for (const [p, part] of parts) {
        for (const [day, d] of part.tables.get(table) ?? []) {
          const csvFile = join(csvDir, `${n++}.csv`);
          await writeFile(csvFile, d.csv.join(''));
          const name = rawFileName({ partition: p, first: part.first, last: part.last, files: fileCount.get(p)! });
          const dir = join(staging, table, `chain=${chainId}`, `date=${day}`);
          await mkdir(dir, { recursive: true });
          await conn.run(`COPY (SELECT ${projection(table)} FROM ${readCsvSql(table, csvFile, d.maxLine)}) TO ${sqlString(join(dir, name))} (FORMAT parquet, COMPRESSION zstd)`);
          await rm(csvFile, { force: true });
          rows[table] += d.rows;
        }
      }
    }
  } finally {
    await rm(csvDir, { recursive: true, force: true });
  }
  await rename(staging, commit);
  const files = await rollForward(paths, commit);
  return { files, ranges: [...parts].map(([partition, p]) => ({ partition, first: p.first, last: p.last })), rows };
}
