// Liberal where it is safe, strict where it matters, on real recorded receipts:
// - Parity's pre-Byzantium receipts have no from/to: they validate, and the tx's from/to are used;
// - pre-Byzantium receipts (root, no status) give status null in the record, the export rows,
//   the lake's fast record check and the speed views' minute stats (unknown, not success);
// - a status other than 0x0/0x1 is a validation error, never read as a revert.
import { describe, expect, test } from 'vitest';
import { blockRecordSchema } from '../../core/chain.js';
import { isChainRecord } from '../../batch/compact/check.js';
import { decodeBlock } from '../../speed/decode/block.js';
import { recordRows } from '../../speed/ingest/rows.js';
import { rpcBlockSchema, rpcReceiptSchema } from '../../speed/rpc/schemas.js';
import { blockRows, blockStats } from '../../speed/views/rows.js';
import { type LoadedSet, completeSets } from './corpus.js';
import { referenceFigures } from './reference.js';

const set = (name: string): LoadedSet => {
  const s = completeSets().find((x) => x.name === name);
  if (!s) throw new Error(`no fixture set ${name}`);
  return s;
};
const decode = (s: LoadedSet) =>
  decodeBlock(s.chainId ?? 1, rpcBlockSchema.parse(s.rawBlock), (s.rawReceipts ?? []).map((r) => rpcReceiptSchema.parse(r)), 0);

describe('receipts of real nodes', () => {
  test('Parity receipts without from/to validate; from/to come from the transaction', () => {
    const s = set('mainnet-483920');
    expect(s.rawReceipts?.every((r) => !('from' in r) && !('to' in r))).toBe(true);
    for (const r of s.rawReceipts ?? []) expect(rpcReceiptSchema.safeParse(r).success).toBe(true);
    const record = decode(s);
    expect(record.transactions.map((t) => [t.from, t.to])).toEqual(s.rawBlock.transactions.map((t: { from: string; to: string | null }) => [t.from, t.to]));
  });

  test.each(['mainnet-483920', 'mainnet-1755635'])('%s: pre-Byzantium status is null end to end, counted as unknown', (name) => {
    const s = set(name);
    const record = decode(s);
    expect(blockRecordSchema.safeParse(record).success).toBe(true);
    expect(record.transactions.map((t) => t.status)).toEqual(s.rawBlock.transactions.map(() => null));
    expect(recordRows(record).transactions.map((r) => r.status)).toEqual(record.transactions.map(() => null));
    expect(isChainRecord(record)).toBe(true);
    const ref = referenceFigures(s);
    const stats = blockStats(record);
    expect({ failed: stats.failed, unknown: stats.unknown, nativeValue: stats.nativeValue }).toEqual({ failed: 0, unknown: ref.unknown, nativeValue: ref.nativeValueMoved.toString() });
    const minute = blockRows(record).find((r) => r.table === 'views_minute_stats');
    expect(minute?.data).toMatchObject({ failed_txs: 0, unknown_txs: ref.unknown });
    expect(blockRows(record).filter((r) => r.table === 'views_txs_by_hash').map((r) => r.data.status)).toEqual(record.transactions.map(() => null));
  });

  test('modern receipts keep 0/1 and count failed exactly as the reference', () => {
    const s = set('mainnet-17000000');
    const stats = blockStats(decode(s));
    const ref = referenceFigures(s);
    expect({ failed: stats.failed, unknown: stats.unknown, nativeValue: stats.nativeValue }).toEqual({ failed: ref.failed, unknown: 0, nativeValue: ref.nativeValueMoved.toString() });
  });

  test.each(['0x2', '0xff', '0x10'])('status %s is a validation error, not a revert', (status) => {
    const r = set('mainnet-18000000').rawReceipts?.[0];
    const parsed = rpcReceiptSchema.safeParse({ ...r, status });
    expect(parsed.success).toBe(false);
    expect(rpcReceiptSchema.safeParse({ ...r, status: '0x00' }).success).toBe(true);
  });
});
