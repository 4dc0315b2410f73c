import { expect, test } from 'vitest';
import { type TimedRow, planBatches } from './writer.js';

const row = (address: string, day: string, i: number): TimedRow => ({
  row: { table: 'views_txs_by_address', key: { chain_id: 1, address, day, block_number: i, tx_index: 0, side: 'from' }, data: {} },
  timestamp: String(i + 1),
});

test('planBatches keeps each partition together first, packs small partitions, never exceeds max and loses nothing', () => {
  const entries = [
    ...Array.from({ length: 7 }, (_, i) => row('0xa', '2026-01-01', i)),
    row('0xb', '2026-01-01', 100),
    row('0xc', '2026-01-01', 101),
    row('0xa', '2026-01-02', 102),
    ...Array.from({ length: 3 }, (_, i) => row('0xd', '2026-01-01', 200 + i)),
  ];
  const batches = planBatches(entries, 4);
  expect(batches.every((b) => b.length >= 1 && b.length <= 4)).toBe(true);
  expect(batches.flat().map((e) => e.timestamp).sort()).toEqual(entries.map((e) => e.timestamp).sort());
  // 7 rows of one partition: one full batch of that partition alone.
  expect(batches.some((b) => b.length === 4 && b.every((e) => e.row.key.address === '0xa' && e.row.key.day === '2026-01-01'))).toBe(true);
  expect(batches.length).toBe(Math.ceil(entries.length / 4));
  expect(planBatches(entries, 1)).toHaveLength(entries.length);
});

test('planBatches stops a multi-partition pack at the byte budget (Cassandra fails multi-partition batches over 50 KiB)', () => {
  const big = (i: number): TimedRow => ({
    row: { table: 'views_txs_by_hash', key: { chain_id: 1, tx_hash: `0x${String(i).padStart(64, '0')}`, block_hash: `0x${'b'.repeat(64)}` }, data: { args: 'x'.repeat(5_000) } },
    timestamp: '1',
  });
  const batches = planBatches(Array.from({ length: 20 }, (_, i) => big(i)), 100, 24_000);
  expect(batches.length).toBeGreaterThan(1);
  for (const b of batches) expect(b.length).toBeLessThanOrEqual(4);
  expect(batches.flat()).toHaveLength(20);
});
