// The roll commit protocol at each crash point, with real DuckDB files: a roll that crashed
// before its commit rename is discarded, one that crashed while moving files is rolled
// forward, and readers never see a half-moved range.
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createRollBuffer, recordToRows } from '../../batch/compact/rows.js';
import { recoverRolls, resumeOffsets, writeRoll } from '../../batch/compact/writer.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { listAllRawFiles, listRawFiles } from '../../storage/lake/files.js';
import { createDuck } from '../../storage/lake/duck.js';
import { testLogger } from '../helpers.js';
import { generateChain } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('crash before the commit rename loses the roll; crash after it finishes the roll; readers skip half-moved ranges', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-roll-'));
  dirs.push(lake);
  const paths = lakePaths(lake);
  const duck = await createDuck({ threads: 1 });
  const conn = await duck.connect();
  // Blocks spanning midnight: one roll writes files of 3 tables × 2 days for partition 0.
  const chain = generateChain({ chainId: 1, blocks: 12, startTime: Date.UTC(2026, 2, 1, 23, 59) / 1000, blockSeconds: 12, seed: 5, reorgEvery: 6, reorgDepth: 1 });
  const buf = (from: number, to: number) => {
    const b = createRollBuffer();
    for (let o = from; o <= to; o++) b.add(0, o, recordToRows(chain.records[o]!, 0, o), 1);
    return b;
  };
  try {
    const first = await writeRoll(conn, paths, 1, buf(0, 5));
    expect(first.files.length).toBeGreaterThanOrEqual(4);
    expect(await resumeOffsets(paths, 1)).toEqual(new Map([[0, 6]]));

    // Crash after the commit rename, with only some files moved: take half of a second roll's files back into a .commit dir.
    const second = await writeRoll(conn, paths, 1, buf(6, chain.records.length - 1));
    const commitDir = join(paths.tmp, 'compact-c1-crashed.commit');
    for (const f of second.files.slice(0, Math.ceil(second.files.length / 2))) {
      const dest = join(commitDir, f.slice(paths.raw.length + 1));
      await mkdir(dirname(dest), { recursive: true });
      await rename(f, dest);
    }
    // Readers see only complete ranges: the first roll's files, none of the half-moved second.
    expect((await listRawFiles(paths, 1)).map((f) => f.path).sort()).toEqual([...first.files].sort());
    expect((await listAllRawFiles(paths, 1)).length).toBe(first.files.length + second.files.length - Math.ceil(second.files.length / 2));

    // Crash before the commit rename: a staging dir with a later range must never become visible.
    const stagingFile = join(paths.tmp, 'compact-c1-partial.staging', 'blocks', 'chain=1', 'date=2026-03-02', 'p0-o99-120-n1.parquet');
    await mkdir(dirname(stagingFile), { recursive: true });
    await conn.run(`COPY (SELECT 1 AS x) TO '${stagingFile}' (FORMAT parquet)`);

    expect(await recoverRolls(paths, 1, testLogger())).toEqual({ rolledForward: 1, discarded: 1 });
    expect(await readdir(paths.tmp)).toEqual([]);
    expect((await listRawFiles(paths, 1)).map((f) => f.path).sort()).toEqual([...first.files, ...second.files].sort());
    expect(await resumeOffsets(paths, 1)).toEqual(new Map([[0, chain.records.length]]));
  } finally {
    conn.closeSync();
    duck.close();
  }
});
