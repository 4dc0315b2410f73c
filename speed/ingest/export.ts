// `chainlake export`: blocks straight from an RPC endpoint to files, decoded by the same code
// as the Kafka path. NDJSON is written as it goes; Parquet is NDJSON staged in a temp dir,
// then one DuckDB COPY per table with explicit column types (ZSTD). Every file is written
// under a temp name and renamed, so a killed export never leaves a half file. A block the
// providers answer terminally wrong (speed/ingest/source.ts BlockUnreadableError) does not
// stop the others: it is listed in `failed` and every other block is written, or, with
// `strict`, nothing is written at all.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { errorMessage, FatalError } from '../../core/errors.js';
import { duckType, sqlString } from '../../storage/lake/schema.js';
import { orderedFetch } from './ordered.js';
import { EXPORT_COLUMNS, EXPORT_TABLES, type ExportTable, recordRows } from './rows.js';
import { BlockUnreadableError } from './source.js';
import type { BlockSource, FetchedBlock } from './types.js';

export type ExportFormat = 'ndjson' | 'parquet';

export type ExportResult = {
  files: Record<ExportTable, string> & { dlq?: string };
  blocks: number;
  txs: number;
  tokenTransfers: number;
  /** Undecodable blocks, written to dlq.ndjson instead of the tables. */
  dlqBlocks: number[];
  /** Blocks no endpoint answered validly (not written anywhere), with why. */
  failed: { block: number; reason: string }[];
};

/** --strict and some blocks could not be read: nothing was written. */
export class ExportIncompleteError extends FatalError {
  override readonly code = 'export_incomplete';
  constructor(readonly failed: { block: number; reason: string }[]) {
    super(`${failed.length} block(s) could not be read, nothing written (--strict): ${failed.map((f) => f.block).join(', ')}`);
  }
}

export async function exportBlocks(opts: {
  source: BlockSource;
  numbers: readonly number[];
  format: ExportFormat;
  outDir: string;
  concurrency: number;
  /** Write nothing when any block cannot be read. */
  strict?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { blocks: number; txs: number }) => void;
}): Promise<ExportResult> {
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const staging = await mkdtemp(join(outDir, '.export-'));
  try {
    const streams = new Map<ExportTable | 'dlq', { path: string; stream: WriteStream }>();
    const streamFor = (name: ExportTable | 'dlq') => {
      let s = streams.get(name);
      if (!s) {
        const path = join(staging, `${name}.ndjson`);
        s = { path, stream: createWriteStream(path) };
        streams.set(name, s);
      }
      return s.stream;
    };
    for (const t of EXPORT_TABLES) streamFor(t);
    const write = async (name: ExportTable | 'dlq', lines: string) => {
      if (lines.length > 0 && !streamFor(name).write(lines)) await once(streamFor(name), 'drain');
    };

    const result: ExportResult = { files: {} as ExportResult['files'], blocks: 0, txs: 0, tokenTransfers: 0, dlqBlocks: [], failed: [] };
    type Fetched = FetchedBlock | { kind: 'failed'; number: number; reason: string };
    const fetcher = orderedFetch<Fetched>({
      from: 0,
      to: opts.numbers.length - 1,
      concurrency: opts.concurrency,
      fetch: (i) =>
        opts.source.fetch(opts.numbers[i] as number, opts.signal).catch((e: unknown): Fetched => {
          if (e instanceof BlockUnreadableError && !opts.signal?.aborted) return { kind: 'failed', number: e.blockNumber, reason: errorMessage(e) };
          throw e;
        }),
    });
    try {
      while (!fetcher.done()) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        for (const b of await fetcher.take(64)) {
          if (b.kind === 'failed') {
            result.failed.push({ block: b.number, reason: b.reason });
            continue;
          }
          if (b.kind === 'dlq') {
            result.dlqBlocks.push(b.number);
            await write('dlq', `${JSON.stringify({ blockNumber: b.number, blockHash: b.hash, reason: b.reason, raw: b.raw })}\n`);
            continue;
          }
          const rows = recordRows(b.record);
          for (const t of EXPORT_TABLES) await write(t, rows[t].map((r) => `${JSON.stringify(r)}\n`).join(''));
          result.blocks++;
          result.txs += rows.transactions.length;
          result.tokenTransfers += rows.token_transfers.length;
        }
        opts.onProgress?.({ blocks: result.blocks + result.dlqBlocks.length + result.failed.length, txs: result.txs });
      }
    } finally {
      fetcher.close();
      await Promise.all([...streams.values()].map(async ({ stream }) => {
        stream.end();
        await once(stream, 'close');
      }));
    }

    if (opts.strict && result.failed.length > 0) throw new ExportIncompleteError(result.failed);
    if (opts.format === 'parquet') {
      // DuckDB (a native library) is loaded only for Parquet output.
      const { createDuck } = await import('../../storage/lake/duck.js');
      const duck = await createDuck({ threads: 2 });
      try {
        const conn = await duck.connect();
        for (const t of EXPORT_TABLES) {
          const staged = (streams.get(t) as { path: string }).path;
          const out = join(staging, `${t}.parquet`);
          await conn.run(parquetCopySql(t, staged, out));
          await rename(out, join(outDir, `${t}.parquet`));
          result.files[t] = join(outDir, `${t}.parquet`);
        }
        conn.closeSync();
      } finally {
        duck.close();
      }
    } else {
      for (const t of EXPORT_TABLES) {
        await rename((streams.get(t) as { path: string }).path, join(outDir, `${t}.ndjson`));
        result.files[t] = join(outDir, `${t}.ndjson`);
      }
    }
    const dlq = streams.get('dlq');
    if (dlq) {
      await rename(dlq.path, join(outDir, 'dlq.ndjson'));
      result.files.dlq = join(outDir, 'dlq.ndjson');
    }
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * NDJSON → Parquet with explicit types: uint256 gas-size values are read as text and cast
 * to DECIMAL(38,0) (never DOUBLE/HUGEINT), value/amount stay VARCHAR.
 */
export function parquetCopySql(table: ExportTable, ndjsonPath: string, parquetPath: string): string {
  const cols = EXPORT_COLUMNS[table];
  const readTypes = cols.map((c) => `${sqlString(c.name)}: ${sqlString(c.kind === 'dec38' ? 'VARCHAR' : duckType(c.kind))}`).join(', ');
  const select = cols.map((c) => `CAST(${JSON.stringify(c.name)} AS ${duckType(c.kind)}) AS ${JSON.stringify(c.name)}`).join(', ');
  return (
    `COPY (SELECT ${select} FROM read_json(${sqlString(ndjsonPath)}, format = 'newline_delimited', columns = {${readTypes}})) ` +
    `TO ${sqlString(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`
  );
}
