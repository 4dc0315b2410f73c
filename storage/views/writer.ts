// Speed views in Cassandra/ScyllaDB, write side: the adapter used by speed/views (rows in, CQL
// out, every cell with an explicit write timestamp). Statements and batch grouping follow the
// table declarations (tables.ts); reads are in queries.ts. Reasoning about idempotence and
// reorgs: docs/speed-views.md.
import { ValidationError, withRetry } from '../../core/errors.js';
import type { CassandraClient } from '../cassandra.js';
import { type RowKey, type TableDecl, VIEW_TABLES, type ViewRow, type ViewTable } from './tables.js';

/** A row and the write timestamp of the Kafka record it came from. */
export type TimedRow<T extends string = ViewTable> = { row: ViewRow<T>; timestamp: string };

/**
 * Groups rows into unlogged batches of at most `max` statements: rows of one partition
 * together first (one mutation per partition on the replica), then the leftovers of small
 * partitions packed together, which saves round trips on a small cluster.
 */
export function planBatches<T extends string = ViewTable>(
  entries: TimedRow<T>[],
  max: number,
  maxBytes = BATCH_BYTES,
  tables: Record<T, TableDecl> = VIEW_TABLES as Record<T, TableDecl>,
): TimedRow<T>[][] {
  if (max <= 1) return entries.map((e) => [e]);
  const byPartition = new Map<string, TimedRow<T>[]>();
  for (const e of entries) {
    const pk = tables[e.row.table].partitionKey.map((c) => String(e.row.key[c])).join('|');
    const k = `${e.row.table}|${pk}`;
    const g = byPartition.get(k);
    if (g) g.push(e);
    else byPartition.set(k, [e]);
  }
  const batches: TimedRow<T>[][] = [];
  // Single-partition batches are exempt from Cassandra's batch size limit; multi-partition ones
  // fail above batch_size_fail_threshold (50 KiB), so packs also stop at an estimated byte size.
  let packed: TimedRow<T>[] = [];
  let packedBytes = 0;
  for (const group of byPartition.values()) {
    let rest = group;
    while (rest.length >= max) {
      batches.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    for (const e of rest) {
      const size = rowBytes(e.row);
      if (packed.length > 0 && (packed.length + 1 > max || packedBytes + size > maxBytes)) {
        batches.push(packed);
        packed = [];
        packedBytes = 0;
      }
      packed.push(e);
      packedBytes += size;
    }
  }
  if (packed.length > 0) batches.push(packed);
  return batches;
}

/** Estimated encoded size of a row: sum of its values' lengths plus per-cell overhead. */
function rowBytes(row: ViewRow<string>): number {
  let n = 0;
  for (const v of Object.values(row.key)) n += (v === null ? 0 : String(v).length) + 8;
  for (const v of Object.values(row.data)) n += (v === null ? 0 : String(v).length) + 8;
  return n;
}
const BATCH_BYTES = 40_000;

export type ViewCheckpoint = {
  chainId: number;
  group: string;
  topic: string;
  partition: number;
  nextOffset: string;
  lastBlockNumber: number;
  lastBlockHash: string;
  lastBlockTime: number;
};

export type ViewsWriter<T extends string = ViewTable> = ReturnType<typeof createViewsWriter<T>>;

/**
 * Writes rows with `USING TIMESTAMP` (the caller derives it from the Kafka offset) so that the
 * outcome never depends on arrival order or replays. Retries transient errors. Only declared
 * tables and columns reach CQL (`tables`: VIEW_TABLES unless a test passes its own).
 */
export function createViewsWriter<T extends string = ViewTable>(
  client: CassandraClient,
  opts: { ttlSeconds: number; retries?: number; tables?: Record<T, TableDecl> },
) {
  const tables = opts.tables ?? (VIEW_TABLES as Record<T, TableDecl>);
  const statements = new Map<string, string>();
  const declared = (table: T, cols: string[]): TableDecl => {
    const t = Object.hasOwn(tables, table) ? tables[table] : undefined;
    if (!t || !cols.every((c) => Object.hasOwn(t.columns, c))) throw new ValidationError(`unknown table/columns ${table}(${cols.join(',')})`);
    return t;
  };
  // The client's errors are classified at the driver boundary (storage/cassandra.ts): withRetry retries the retryable ones.
  const run = (query: string, params: unknown[]) =>
    withRetry(
      async () => {
        await client.execute(query, params, { prepare: true, isIdempotent: true });
      },
      { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
    );

  const insertCql = (table: T, cols: string[]): string => {
    const sig = `i|${table}|${cols.join(',')}`;
    let q = statements.get(sig);
    if (!q) {
      const ttl = declared(table, cols).ttl ? ' AND TTL ?' : '';
      q = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) USING TIMESTAMP ?${ttl}`;
      statements.set(sig, q);
    }
    return q;
  };
  const deleteCql = (table: T, cols: string[]): string => {
    const sig = `d|${table}|${cols.join(',')}`;
    let q = statements.get(sig);
    if (!q) {
      declared(table, cols);
      q = `DELETE FROM ${table} USING TIMESTAMP ? WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')}`;
      statements.set(sig, q);
    }
    return q;
  };

  const insertStatement = (row: ViewRow<T>, timestamp: string) => {
    const cols = [...Object.keys(row.key), ...Object.keys(row.data)];
    const params: unknown[] = [...Object.values(row.key), ...Object.values(row.data), timestamp];
    if (tables[row.table].ttl) params.push(opts.ttlSeconds);
    return { query: insertCql(row.table, cols), params };
  };

  const insert = (row: ViewRow<T>, timestamp: string): Promise<void> => {
    const { query, params } = insertStatement(row, timestamp);
    return run(query, params);
  };

  return {
    insert,
    /** One unlogged batch; every statement keeps its own USING TIMESTAMP. */
    insertBatch(entries: TimedRow<T>[]): Promise<void> {
      const first = entries[0];
      if (entries.length === 1 && first) return insert(first.row, first.timestamp);
      const queries = entries.map((e) => insertStatement(e.row, e.timestamp));
      return withRetry(
        async () => {
          await client.batch(queries, { prepare: true, logged: false, isIdempotent: true });
        },
        { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
      );
    },
    remove(key: RowKey<T>, timestamp: string): Promise<void> {
      return run(deleteCql(key.table, Object.keys(key.key)), [timestamp, ...Object.values(key.key)]);
    },
    writeManifest(chainId: number, blockHash: string, number: number, rowKeys: Buffer, timestamp: string): Promise<void> {
      return run('INSERT INTO views_block_manifest (chain_id, block_hash, number, row_keys) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?', [
        chainId,
        blockHash,
        number,
        rowKeys,
        timestamp,
        opts.ttlSeconds,
      ]);
    },
    async readManifest(chainId: number, blockHash: string): Promise<Buffer | null> {
      const rs = await withRetry(
        () => client.execute('SELECT row_keys FROM views_block_manifest WHERE chain_id = ? AND block_hash = ?', [chainId, blockHash], { prepare: true }),
        { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
      );
      return (rs.first()?.get('row_keys') as Buffer | undefined) ?? null;
    },
    deleteManifest(chainId: number, blockHash: string, timestamp: string): Promise<void> {
      return run('DELETE FROM views_block_manifest USING TIMESTAMP ? WHERE chain_id = ? AND block_hash = ?', [timestamp, chainId, blockHash]);
    },
    writeCheckpoint(cp: ViewCheckpoint, timestamp: string, writtenAt: number): Promise<void> {
      return run(
        `INSERT INTO views_checkpoint (chain_id, consumer_group, topic, kafka_partition, next_offset, last_block_number, last_block_hash, last_block_time, written_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
        [cp.chainId, cp.group, cp.topic, cp.partition, cp.nextOffset, cp.lastBlockNumber, cp.lastBlockHash, cp.lastBlockTime, writtenAt, timestamp],
      );
    },
  };
}
