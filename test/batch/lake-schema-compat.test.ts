// Lake files written before the chain-family columns (lake file schema 1: no `.v2` in the name,
// no execution_fee / data_fee / family columns) and current files side by side in one day:
// the raw relations read both, with NULL for what v1 files predate, and the merge of that day
// rewrites both into one current file without losing a row or a value. With one read by the
// first file's schema (the read before this step), a v1 file first in the list would hide the
// new columns of every later file, and one later would fail the query.
import { readdir, rename, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { mergeClosedDays } from '../../batch/compact/merge.js';
import { createRollBuffer, recordToRows } from '../../batch/compact/rows.js';
import { writeRoll } from '../../batch/compact/writer.js';
import type { BlockRecord } from '../../core/chain.js';
import { registerLakeViews } from '../../storage/lake/canonical.js';
import { createDuck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { fileSchemaOf, listRawFiles } from '../../storage/lake/files.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { columnsOfFileSchema, type RawTable } from '../../storage/lake/schema.js';
import { testLogger } from '../helpers.js';
import { generateChain } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('v1 lake files (without the family columns) and v2 files read side by side, and merge into one v2 file', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-compat-'));
  dirs.push(lake);
  const paths = lakePaths(lake);
  const duck = await createDuck({ threads: 1 });
  const conn = await duck.connect();
  // 20 blocks from 23:58 UTC: the first day closes once the second has files.
  const chain = generateChain({ chainId: 1, blocks: 20, startTime: Date.UTC(2026, 2, 1, 23, 58) / 1000, blockSeconds: 12, maxTxs: 4, seed: 9 });
  const blocks = chain.records.filter((r): r is BlockRecord => r.kind === 'block');
  const roll = async (from: number, to: number) => {
    const b = createRollBuffer();
    for (let o = from; o <= to; o++) b.add(0, o, recordToRows(chain.records[o]!, 0, o), 1);
    return writeRoll(conn, paths, 1, b);
  };
  try {
    // The first roll as an older build wrote it: the v1 columns only, under a name without the marker.
    const old = await roll(0, 4);
    for (const f of old.files) {
      const table = f.split('/').at(-4) as RawTable;
      const v1Path = f.replace(/\.v2\.parquet$/, '.parquet');
      const cols = columnsOfFileSchema(table, 1).map((c) => c.name).join(', ');
      await conn.run(`COPY (SELECT ${cols} FROM read_parquet(${sqlString(f)})) TO ${sqlString(`${v1Path}.tmp`)} (FORMAT parquet)`);
      await rm(f);
      await rename(`${v1Path}.tmp`, v1Path);
    }
    await roll(5, chain.records.length - 1);
    const files = await listRawFiles(paths, 1);
    expect(new Set(files.map((f) => fileSchemaOf(f.path)))).toEqual(new Set([1, 2]));
    const v1Txs = chain.records.slice(0, 5).flatMap((r) => (r.kind === 'block' ? r.transactions : []));
    const allTxs = blocks.flatMap((b) => b.transactions);
    expect(v1Txs.length).toBeGreaterThan(0);

    const check = async () => {
      await registerLakeViews(conn, paths, { chainId: 1 });
      const [t] = await queryRows(conn, 'SELECT count(*) AS n, count(execution_fee) AS with_parts, CAST(sum(fee) AS VARCHAR) AS fees, count(blob_fee) AS blob FROM transactions');
      expect(Number(t!.n)).toBe(allTxs.length);
      // v1 rows: NULL fee parts (v1 did not record them); v2 rows: executionFee as recorded
      expect(Number(t!.with_parts)).toBe(allTxs.length - v1Txs.length);
      expect(t!.fees).toBe(allTxs.reduce((s, x) => s + BigInt(x.fee), 0n).toString());
      expect(Number(t!.blob)).toBe(0);
      const [b] = await queryRows(conn, 'SELECT count(*) AS n, count(withdrawal_count) AS w FROM canonical_blocks');
      expect(Number(b!.n)).toBe(blocks.length);
      expect(Number(b!.w)).toBe(0);
    };
    await check();

    const merged = await mergeClosedDays(conn, paths, 1, { keepMs: 0, logger: testLogger() });
    expect(merged.days).toBeGreaterThan(0);
    const txDay = (await readdir(join(paths.rawTable('transactions'), 'chain=1', 'date=2026-03-01'))).filter((n) => n.startsWith('m-'));
    expect(txDay.map(fileSchemaOf)).toEqual([2]);
    await check();
  } finally {
    conn.closeSync();
    duck.close();
  }
});
