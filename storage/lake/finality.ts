// The node's finality as the lake knows it: per chain and Kafka partition, the highest `finalized`
// carried by the block records in that partition's complete raw files, at
//   <LAKE_DIR>/finality/chain=<id>/p<partition>.json
// The compactor writes a partition's file after each roll it committed (one owner per partition,
// so no two writers race on a file); recompute reads the maximum over the partitions to place the
// batch horizon (docs/batch.md "Horizon"). A file only ever lags the raw files it describes (a
// crash between a roll and this write), which places the horizon lower, never past what is final.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakePaths } from './paths.js';

const dirOf = (paths: LakePaths, chainId: number) => paths.finality(chainId);

/** Raise a partition's finalized block to `finalized` (never lowers it). */
export async function recordLakeFinality(paths: LakePaths, chainId: number, partition: number, finalized: number): Promise<void> {
  const dir = dirOf(paths, chainId);
  const file = join(dir, `p${partition}.json`);
  const current = await readPartition(file);
  if (current !== null && current >= finalized) return;
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ finalized, updatedAt: new Date().toISOString() })}\n`);
  await rename(tmp, file);
}

async function readPartition(file: string): Promise<number | null> {
  try {
    const v = (JSON.parse(await readFile(file, 'utf8')) as { finalized?: unknown }).finalized;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  } catch {
    return null;
  }
}

/** The highest finalized block any partition's records carried, or null when the node gave none. */
export async function readLakeFinality(paths: LakePaths, chainId: number): Promise<number | null> {
  let names: string[];
  try {
    names = await readdir(dirOf(paths, chainId));
  } catch {
    return null;
  }
  let best: number | null = null;
  for (const name of names.filter((n) => /^p\d+\.json$/.test(n))) {
    const v = await readPartition(join(dirOf(paths, chainId), name));
    if (v !== null && (best === null || v > best)) best = v;
  }
  return best;
}
