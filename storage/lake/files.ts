// The raw file-name protocol and listing: roll files p{partition}-o{first}-{last}-n{files},
// merged files m-p…, which files of a directory are visible (complete ranges, not superseded),
// and the chain ids present. Pure names plus directory reads; no DuckDB.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakePaths } from './paths.js';
import { LAKE_FILE_SCHEMA, type LakeFileSchema, RAW_TABLES, type RawTable } from './schema.js';

// Raw file names: p{partition}-o{first}-{last}-n{files}[.v{schema}].parquet. `files` is how many
// files (over all tables and days) the compactor wrote for this partition's offset range, so a
// reader can tell a complete range from one whose files are still being moved into place.
// `.v{schema}` is the lake file schema of the file's columns (storage/lake/schema.ts
// LAKE_FILE_SCHEMA); files without it are schema 1, written before the marker existed.

export type RawFileName = { partition: number; first: number; last: number; files: number };
const SCHEMA_SUFFIX = '(?:\\.v(\\d+))?\\.parquet$';
const FILE_RE = new RegExp(`^p(\\d+)-o(\\d+)-(\\d+)-n(\\d+)${SCHEMA_SUFFIX}`);
const schemaSuffix = (schema: LakeFileSchema): string => (schema === 1 ? '' : `.v${schema}`);

export const rawFileName = (f: RawFileName, schema: LakeFileSchema = LAKE_FILE_SCHEMA): string =>
  `p${f.partition}-o${f.first}-${f.last}-n${f.files}${schemaSuffix(schema)}.parquet`;

/** The lake file schema of a raw file, from its name or path: `.v2.parquet` → 2, no marker → 1. */
export function fileSchemaOf(path: string): LakeFileSchema {
  const m = /\.v(\d+)\.parquet$/.exec(path);
  return m ? (Number(m[1]) as LakeFileSchema) : 1;
}

export function parseRawFileName(name: string): RawFileName | null {
  const m = FILE_RE.exec(name);
  if (!m) return null;
  return { partition: Number(m[1]), first: Number(m[2]), last: Number(m[3]), files: Number(m[4]) };
}

// Merged files (the compactor merges the files of a closed day, batch/compact/merge.ts):
// m-p{partition}-o{first}-{last}[_p…].parquet, one offset span per partition: the file holds every
// row of its (table, chain, day) directory from records in those spans. A merged file supersedes
// the other files of its directory whose spans it covers (they are deleted a little later), and a
// range it covers counts as complete even though some of its files were merged away.
export type OffsetSpan = { partition: number; first: number; last: number };
const MERGED_RE = new RegExp(`^m-(p\\d+-o\\d+-\\d+(?:_p\\d+-o\\d+-\\d+)*)${SCHEMA_SUFFIX}`);

export const mergedFileName = (spans: OffsetSpan[], schema: LakeFileSchema = LAKE_FILE_SCHEMA): string =>
  `m-${spans.map((s) => `p${s.partition}-o${s.first}-${s.last}`).join('_')}${schemaSuffix(schema)}.parquet`;

export function parseMergedFileName(name: string): OffsetSpan[] | null {
  const m = MERGED_RE.exec(name);
  if (!m) return null;
  return m[1]!.split('_').map((part) => {
    const [, p, f, l] = /^p(\d+)-o(\d+)-(\d+)$/.exec(part)!;
    return { partition: Number(p), first: Number(f), last: Number(l) };
  });
}

/** A raw file; `spans` is set on merged files only (their partition/first/last are -1, files 1). */
export type RawFile = RawFileName & { table: RawTable; chainId: number; day: string; path: string; rel: string; spans?: OffsetSpan[] };

/** Offset spans of a raw file: its own range, or a merged file's spans. */
export const fileSpans = (f: RawFile): OffsetSpan[] => f.spans ?? [{ partition: f.partition, first: f.first, last: f.last }];

const covers = (m: RawFile, s: OffsetSpan): boolean => m.spans!.some((x) => x.partition === s.partition && x.first <= s.first && s.last <= x.last);

/** True when a merged file of the same directory holds every row of `f`. */
export const isSuperseded = (f: RawFile, merged: RawFile[]): boolean =>
  merged.some((m) => m !== f && m.table === f.table && m.chainId === f.chainId && m.day === f.day && fileSpans(f).every((s) => covers(m, s)));

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Every raw file on disk (complete or not), optionally of one chain. Directories are read concurrently. */
export async function listAllRawFiles(paths: LakePaths, chainId?: number): Promise<RawFile[]> {
  const dayDirs: { table: RawTable; chainDir: string; dayDir: string; chain: number; day: string }[] = [];
  await Promise.all(
    RAW_TABLES.map(async (table) => {
      for (const chainDir of await dirs(paths.rawTable(table))) {
        const cm = /^chain=(\d+)$/.exec(chainDir);
        if (!cm || (chainId !== undefined && Number(cm[1]) !== chainId)) continue;
        for (const dayDir of await dirs(join(paths.rawTable(table), chainDir))) {
          const dm = /^date=(\d{4}-\d{2}-\d{2})$/.exec(dayDir);
          if (dm) dayDirs.push({ table, chainDir, dayDir, chain: Number(cm[1]), day: dm[1] as string });
        }
      }
    }),
  );
  const perDir = await Promise.all(
    dayDirs.map(async ({ table, chainDir, dayDir, chain, day }) => {
      const dir = join(paths.rawTable(table), chainDir, dayDir);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const out: RawFile[] = [];
      for (const name of names) {
        const loc = { table, chainId: chain, day, path: join(dir, name), rel: `${table}/${chainDir}/${dayDir}/${name}` };
        const f = parseRawFileName(name);
        if (f) out.push({ ...f, ...loc });
        const spans = f ? null : parseMergedFileName(name);
        if (spans) out.push({ partition: -1, first: -1, last: -1, files: 1, spans, ...loc });
      }
      return out;
    }),
  );
  return perDir.flat();
}

/** Order of raw files: by relative path, code unit by code unit (stable across locales, and cheap). */
const byRel = (a: RawFile, b: RawFile): number => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/**
 * Files of complete offset ranges only: every file the compactor wrote for the range is in place
 * (or the range is covered by a merged file). Files superseded by a merged file are left out.
 */
export function completeRanges(files: RawFile[]): RawFile[] {
  const merged = files.filter((f) => f.spans);
  if (merged.length > 0) {
    const small = files.filter((f) => !f.spans);
    const complete = new Set(completeRanges(small));
    const dirKey = (f: RawFile) => `${f.chainId}/${f.table}/${f.day}`;
    const mergedByDir = new Map<string, RawFile[]>();
    for (const m of merged) {
      const list = mergedByDir.get(dirKey(m));
      if (list) list.push(m);
      else mergedByDir.set(dirKey(m), [m]);
    }
    const visible = (f: RawFile) =>
      !isSuperseded(f, mergedByDir.get(dirKey(f)) ?? []) &&
      (f.spans !== undefined || complete.has(f) || merged.some((m) => m.chainId === f.chainId && covers(m, fileSpans(f)[0]!)));
    return files.filter(visible).sort(byRel);
  }
  const groups = new Map<string, RawFile[]>();
  for (const f of files) {
    const k = `${f.chainId}:${f.partition}:${f.first}:${f.last}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const out: RawFile[] = [];
  for (const g of groups.values()) if (g.length === g[0]!.files) out.push(...g);
  return out.sort(byRel);
}

export const listRawFiles = async (paths: LakePaths, chainId?: number): Promise<RawFile[]> => completeRanges(await listAllRawFiles(paths, chainId));

/** Chain ids present in the raw lake. */
export async function lakeChainIds(paths: LakePaths): Promise<number[]> {
  const ids = new Set<number>();
  for (const t of RAW_TABLES) for (const d of await dirs(paths.rawTable(t))) if (/^chain=\d+$/.test(d)) ids.add(Number(d.slice(6)));
  return [...ids].sort((a, b) => a - b);
}
