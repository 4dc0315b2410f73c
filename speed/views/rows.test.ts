import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type BlockRecord, type ChainRecord, minuteOf, utcDay } from '../../core/chain.js';
import { viewsMigrations } from '../../storage/migrations/views.js';
import { VIEW_TABLES, VIEWS_BLOCK_BUCKET, type RowKey, type ViewRow, VIEWS_BLOCK_BUCKET as BLOCK_BUCKET, heightBucket } from '../../storage/views/tables.js';
import { mulberry32 } from '../../core/random.js';
import { generateStream, partitionOf } from '../../test/views/fixtures.js';
import { blockRows, blockStats, decodeManifest, encodeManifest, manifestKeys, retractionKeys, writeTimestamp } from './rows.js';

const stream = generateStream({ chainId: 7, seed: 42, blocks: 40, startTime: 1_760_000_000, dayGapsAfter: [20], reorgAfter: 30, reorgDepth: 3, duplicates: 4 });
const blocksWithTxs = stream.canonical.filter((b) => b.transactions.length > 0);

/** Columns and primary key of each table, parsed from the migration CQL (CREATE TABLE, then ALTER TABLE … ADD). */
function schemaOf(): Map<string, { columns: Set<string>; key: string[] }> {
  const out = new Map<string, { columns: Set<string>; key: string[] }>();
  for (const stmt of viewsMigrations.flatMap((m) => m.cql({ ttlSeconds: 0 }))) {
    const added = /^ALTER TABLE (\w+) ADD (\w+) \w+$/.exec(stmt);
    if (added) out.get(added[1] ?? '')?.columns.add(added[2] ?? '');
    const m = /CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)PRIMARY KEY \(([\s\S]*?)\)\)/.exec(stmt);
    if (!m) continue;
    const columns = new Set(
      (m[2] ?? '')
        .split(',')
        .map((c) => c.trim().split(/\s+/)[0] ?? '')
        .filter(Boolean),
    );
    const key = (m[3] ?? '').replace(/[()]/g, '').split(',').map((c) => c.trim());
    out.set(m[1] ?? '', { columns, key });
  }
  return out;
}

describe('blockRows', () => {
  test('every row names exactly the primary key of a migrated table and only its columns', () => {
    const schema = schemaOf();
    for (const b of stream.canonical)
      for (const row of blockRows(b)) {
        const t = schema.get(row.table);
        expect(t, row.table).toBeDefined();
        expect(Object.keys(row.key).sort()).toEqual([...(t?.key ?? [])].sort());
        for (const c of Object.keys(row.data)) expect(t?.columns.has(c), `${row.table}.${c}`).toBe(true);
      }
    for (const table of Object.keys(VIEW_TABLES)) expect(schema.has(table)).toBe(true);
  });

  test('writes block, minute, per-tx, both address sides, created contract and three rows per transfer', () => {
    for (const b of blocksWithTxs) {
      const rows = blockRows(b);
      const count = (t: string) => rows.filter((r) => r.table === t).length;
      expect(count('views_blocks_by_height')).toBe(1);
      expect(count('views_blocks_by_hash')).toBe(1);
      expect(count('views_minute_stats')).toBe(1);
      expect(count('views_txs_by_hash')).toBe(b.transactions.length);
      const sides = b.transactions.reduce((n, t) => n + 1 + (t.to ? 1 : 0) + (t.contractAddress ? 1 : 0), 0);
      expect(count('views_txs_by_address')).toBe(sides);
      expect(count('views_transfers_by_token')).toBe(b.tokenTransfers.length);
      expect(count('views_transfers_by_address')).toBe(2 * b.tokenTransfers.length);
      // Primary keys are unique within a block.
      const keys = rows.map((r) => `${r.table}|${JSON.stringify(r.key)}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('keeps uint256 amounts as exact decimal strings and partitions by UTC day and height bucket', () => {
    const b = blocksWithTxs.find((x) => x.transactions.some((t) => BigInt(t.value) > 2n ** 64n));
    expect(b).toBeDefined();
    const rec = b as BlockRecord;
    const rows = blockRows(rec);
    for (const tx of rec.transactions) {
      const row = rows.find((r) => r.table === 'views_txs_by_hash' && r.key.tx_hash === tx.hash);
      expect(row?.data.value).toBe(tx.value);
      expect(row?.data.fee).toBe(tx.fee);
    }
    const addr = rows.find((r) => r.table === 'views_txs_by_address');
    expect(addr?.key.day).toBe(utcDay(rec.block.timestamp));
    expect(rows[0]?.key.bucket).toBe(Math.floor(rec.block.number / 100_000));
    expect(BLOCK_BUCKET).toBe(VIEWS_BLOCK_BUCKET);
    expect(heightBucket(199_999)).toBe(1);
  });
});

describe('family fields in the speed views', () => {
  test('behavior: a tx keeps its fee parts and its chain family fields as JSON (an OP-stack tx with an L1 data fee)', () => {
    const base = blocksWithTxs[0]!;
    const tx = base.transactions[0]!;
    const opTx = { ...tx, executionFee: '21000000000000', dataFee: '1500000000', fee: (21000000000000n + 1500000000n).toString(), extra: { l1Fee: '1500000000', l1GasUsed: '1600', isSystemTx: false } };
    const record: BlockRecord = { ...base, family: 'op-stack', transactions: [opTx, ...base.transactions.slice(1)] };
    const row = blockRows(record).find((r) => r.table === 'views_txs_by_hash' && r.key.tx_hash === tx.hash);
    expect(row?.data).toMatchObject({ fee: '21001500000000', execution_fee: '21000000000000', data_fee: '1500000000' });
    expect(JSON.parse(String(row?.data.extra))).toEqual({ l1Fee: '1500000000', l1GasUsed: '1600', isSystemTx: false });
    // A plain Ethereum tx has no family fields: null, not "{}".
    const plain = blockRows(base).find((r) => r.table === 'views_txs_by_hash' && r.key.tx_hash === tx.hash);
    expect(plain?.data.extra).toBeNull();
  });
});

describe('blockStats', () => {
  test('counts classes and failures, sums fees of all txs and value of successful txs only', () => {
    for (const b of stream.canonical) {
      const s = blockStats(b);
      expect(s.contractCreations + s.nativeTransfers + s.contractCalls).toBe(b.transactions.length);
      expect(s.failed).toBe(b.transactions.filter((t) => t.status === 0).length);
      expect(BigInt(s.fees)).toBe(b.transactions.reduce((x, t) => x + BigInt(t.fee), 0n));
      expect(BigInt(s.nativeValue)).toBe(b.transactions.reduce((x, t) => x + (t.status === 1 ? BigInt(t.value) : 0n), 0n));
      expect(s.tokenTransfers).toBe(b.tokenTransfers.length);
    }
    expect(stream.canonical.some((b) => b.transactions.some((t) => t.status === 0 && t.value !== '0'))).toBe(true);
  });
});

describe('retraction keys and manifest', () => {
  test('a retraction deletes exactly the keys of the retracted block rows: derived ones plus the manifest', () => {
    const orphan = stream.orphaned.find((b) => b.transactions.length > 0) as BlockRecord;
    const retraction = stream.records.find((r) => r.kind === 'retraction' && r.block.hash === orphan.block.hash);
    if (retraction?.kind !== 'retraction') throw new Error('fixture has no retraction');
    const rows = blockRows(orphan);
    const manifest = decodeManifest(encodeManifest(manifestKeys(rows)));
    const deleted = [...retractionKeys(retraction), ...manifest].map((k) => `${k.table}|${JSON.stringify(k.key)}`).sort();
    const written = rows.map((r) => `${r.table}|${JSON.stringify(r.key)}`).sort();
    expect(deleted).toEqual(written);
  });

  test('manifest round-trips and stays small', () => {
    const big = stream.canonical.reduce((a, b) => (b.transactions.length > a.transactions.length ? b : a));
    const keys = manifestKeys(blockRows(big));
    const buf = encodeManifest(keys);
    // A manifest is a set of keys: grouping by table may change the order.
    const ids = (ks: RowKey[]) => ks.map((k) => `${k.table}|${JSON.stringify(k.key)}`).sort();
    expect(ids(decodeManifest(buf))).toEqual(ids(keys));
    expect(keys.length).toBeGreaterThan(10);
    expect(buf.length).toBeLessThan(JSON.stringify(keys).length);
  });

  test('the minute-stats key of a retraction is the minute of the retracted block', () => {
    const r = stream.records.find((x) => x.kind === 'retraction');
    if (r?.kind !== 'retraction') throw new Error('no retraction');
    const k = retractionKeys(r).find((x) => x.table === 'views_minute_stats');
    expect(k?.key.minute).toBe(minuteOf(r.block.timestamp) * 1000);
  });
});

describe('writeTimestamp', () => {
  test('is offset + 1, strictly increasing, exact beyond 2^53', () => {
    expect(writeTimestamp('0')).toBe('1');
    expect(writeTimestamp('9007199254740993')).toBe('9007199254740994');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 62n }), (o) => BigInt(writeTimestamp(String(o + 1n))) > BigInt(writeTimestamp(String(o)))));
  });
});

// A model of Cassandra's last-write-wins cells (per row: every cell of a row is written with the
// same timestamp), used to check the idempotence argument: crash anywhere, replay from any
// committed offset, apply a record's writes in any order — the final rows equal a clean run.
describe('idempotence under replay (Cassandra LWW model)', () => {
  type Cell = { ts: bigint; live: boolean; data: string; partition: number };
  const rowId = (k: RowKey) => `${k.table}|${JSON.stringify(k.key)}`;

  function simulate(records: ChainRecord[], partitions: number, seed: number) {
    const rand = mulberry32(seed);
    const store = new Map<string, Cell>();
    const writers = new Map<string, Set<number>>();
    const put = (id: string, ts: bigint, live: boolean, data: string, partition: number) => {
      (writers.get(id) ?? writers.set(id, new Set()).get(id))?.add(partition);
      const cur = store.get(id);
      // Higher timestamp wins; on a tie the tombstone wins (Cassandra's rule).
      if (!cur || ts > cur.ts || (ts === cur.ts && !live)) store.set(id, { ts, live, data, partition });
    };
    const byPartition: ChainRecord[][] = Array.from({ length: partitions }, () => []);
    for (const r of records) byPartition[partitionOf(r, partitions)]?.push(r);
    const opsOf = (r: ChainRecord, offset: number, p: number): (() => void)[] => {
      const ts = BigInt(writeTimestamp(String(offset)));
      if (r.kind === 'block') {
        const rows = blockRows(r);
        const manifest = encodeManifest(manifestKeys(rows)).toString('base64');
        return [...rows.map((row: ViewRow) => () => put(rowId(row), ts, true, JSON.stringify(row.data), p)), () => put(`manifest|${r.block.hash}`, ts, true, manifest, p)];
      }
      const m = store.get(`manifest|${r.block.hash}`);
      const keys = [...retractionKeys(r), ...(m?.live ? decodeManifest(Buffer.from(m.data, 'base64')) : [])];
      // The manifest delete is issued only after every other delete was acked.
      return [...keys.map((k) => () => put(rowId(k), ts, false, '', p)), () => put(`manifest|${r.block.hash}`, ts, false, '', p)];
    };
    const shuffle = <T>(xs: T[]) => xs.map((x) => [rand(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
    byPartition.forEach((recs, p) => {
      let committed = 0;
      for (let crash = 0; crash < 3; crash++) {
        const k = committed + Math.floor(rand() * (recs.length - committed + 1));
        for (let o = committed; o < k; o++) {
          const r = recs[o] as ChainRecord;
          const ops = opsOf(r, o, p);
          // Block writes may land in any order; a retraction's manifest delete stays last.
          (r.kind === 'block' ? shuffle(ops) : [...shuffle(ops.slice(0, -1)), ...ops.slice(-1)]).forEach((op) => op());
        }
        const partial = recs[k];
        if (partial) {
          const ops = opsOf(partial, k, p);
          const done = partial.kind === 'block' ? shuffle(ops) : shuffle(ops.slice(0, -1));
          done.slice(0, Math.floor(rand() * done.length)).forEach((op) => op());
        }
        committed = committed + Math.floor(rand() * (k - committed + 1));
      }
      for (let o = committed; o < recs.length; o++) opsOf(recs[o] as ChainRecord, o, p).forEach((op) => op());
    });
    const live = new Map([...store].filter(([id, c]) => c.live && !id.startsWith('manifest|')).map(([id, c]) => [id, c.data]));
    return { live, writers };
  }

  test('final rows equal the rows of the canonical blocks, whatever the crash and replay points', () => {
    const expected = new Map<string, string>();
    for (const b of stream.canonical) for (const row of blockRows(b)) expected.set(rowId(row), JSON.stringify(row.data));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { live, writers } = simulate(stream.records, 3, seed);
        expect(live).toEqual(expected);
        // The argument relies on this: no row is ever written by two Kafka partitions.
        for (const [id, ps] of writers) expect(ps.size, id).toBe(1);
      }),
      { numRuns: 40 },
    );
  });

  test('the model catches a broken scheme: wall-clock-free but partition-blind timestamps lose rows', () => {
    // Sanity check of the test itself: if all writes used one timestamp, a replayed orphan would win over its retraction.
    const orphan = stream.orphaned[0] as BlockRecord;
    const store = new Map<string, boolean>();
    for (const row of blockRows(orphan)) store.set(rowId(row), true);
    const r = stream.records.find((x) => x.kind === 'retraction' && x.block.hash === orphan.block.hash);
    if (r?.kind !== 'retraction') throw new Error('no retraction');
    for (const k of retractionKeys(r)) store.set(rowId(k), false);
    // Replay of the orphan with a timestamp not below the retraction's resurrects it.
    for (const row of blockRows(orphan)) store.set(rowId(row), true);
    expect([...store.values()].every((v) => v)).toBe(true);
  });
});
