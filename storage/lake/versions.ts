// Batch versions of the lake: the batch view names, a version's manifest, the CURRENT pointer
// (read, and switched atomically) and the visible version with its horizon.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { LakePaths } from './paths.js';

export const BATCH_VIEWS = [
  'stats_minute',
  'stats_hour',
  'stats_day',
  'top_senders_day',
  'top_contracts_day',
  'token_volume_day',
  'block_series',
] as const;
export type BatchView = (typeof BATCH_VIEWS)[number];

export const versionManifestSchema = z.object({
  version: z.string(),
  chainId: z.number().int().nullable(),
  horizon: z.number().int().nullable(),
  /** Per Kafka partition, the newest block height in the lake's block files (the horizon is min − FINALITY_DEPTH, or min capped at `finalized`). Absent in versions written before it existed. */
  partitionMax: z.record(z.string(), z.number().int()).optional(),
  /** The node's finalized block the horizon followed; null: FINALITY_DEPTH placed it. Absent in versions written before it existed. */
  finalized: z.number().int().nullable().optional(),
  createdAt: z.string(),
  mode: z.enum(['full', 'incremental']),
  previous: z.string().nullable(),
  rowCounts: z.record(z.string(), z.number().int().nonnegative()),
  /** Digest of the batch SQL that computed the views (batch/recompute VIEWS_SQL_DIGEST); an incremental run builds only on the same. Absent in versions written before it existed. */
  sqlDigest: z.string().optional(),
  /** Per UTC day: the raw files (relative paths) the day's rows were computed from. */
  days: z.record(z.string(), z.array(z.string())),
  recomputedDays: z.array(z.string()),
});
export type VersionManifest = z.infer<typeof versionManifestSchema>;

export const viewFile = (paths: LakePaths, version: string, view: BatchView): string => join(paths.viewVersion(version), `${view}.parquet`);

export async function readVersionManifest(paths: LakePaths, version: string): Promise<VersionManifest> {
  return versionManifestSchema.parse(JSON.parse(await readFile(join(paths.viewVersion(version), 'manifest.json'), 'utf8')));
}

/** The visible batch version, or null on a fresh lake. */
export async function readCurrentVersion(paths: LakePaths): Promise<string | null> {
  try {
    const v = (await readFile(paths.currentPointer, 'utf8')).trim();
    return v.length > 0 ? v : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Atomically switch the visible version: write a temp pointer, then rename over CURRENT. */
export async function switchCurrentVersion(paths: LakePaths, version: string): Promise<void> {
  await mkdir(paths.views, { recursive: true });
  const tmp = `${paths.currentPointer}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${version}\n`);
  await rename(tmp, paths.currentPointer);
}

/** The visible batch version with its horizon, or null on a lake without views. */
export async function readBatchVersion(paths: LakePaths): Promise<{ version: string; horizon: number | null; createdAt: string } | null> {
  for (let attempt = 0; ; attempt++) {
    const version = await readCurrentVersion(paths);
    if (version === null) return null;
    try {
      const m = await readVersionManifest(paths, version);
      return { version, horizon: m.horizon, createdAt: m.createdAt };
    } catch (e) {
      // The version was pruned between reading CURRENT and its manifest: read CURRENT again.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
}
