import { describe, expect, test } from 'vitest';
import { sampleBlock } from '../../core/chain.fixtures.js';
import type { BlockRecord } from '../../core/chain.js';
import { formatDrifts, reconcile, summarizeBlock, summarizeMinutes, wholeMinutes } from './compare.js';

const block = (n: number, ts: number, fee: string, status: 0 | 1 = 1): BlockRecord => {
  const r = sampleBlock();
  r.block = { ...r.block, number: n, timestamp: ts, hash: `0x${n.toString(16).padStart(64, '0')}` };
  r.transactions = [{ ...r.transactions[0]!, blockNumber: n, fee, status, value: '5' }];
  return r;
};

describe('reconcile', () => {
  const chain = [block(1, 60, '10'), block(2, 61, '20', 0), block(3, 125, '30')];

  test('agreeing sources give no drift', () => {
    const blocks = chain.map(summarizeBlock);
    const minutes = summarizeMinutes(chain);
    const drifts = reconcile({ blocks: [1, 2, 3], minutes: [60, 120], blockSummaries: { chain: blocks, speed: blocks, batch: blocks }, minuteSummaries: { chain: minutes, speed: minutes, batch: minutes } });
    expect(drifts).toEqual([]);
    expect(formatDrifts(drifts)).toMatch(/no drift/);
  });

  test('per-minute sums are exact bigints and count failures', () => {
    const m = summarizeMinutes(chain);
    expect(m).toEqual([
      { minute: 60, txCount: 2, failed: 1, gasUsed: 42000n, fees: 30n, nativeValue: 5n, tokenTransfers: 0 },
      { minute: 120, txCount: 1, failed: 0, gasUsed: 21000n, fees: 30n, nativeValue: 5n, tokenTransfers: 0 },
    ]);
  });

  test('a double-counted minute and a missing block in one source are reported', () => {
    const blocks = chain.map(summarizeBlock);
    const minutes = summarizeMinutes(chain);
    const doubled = minutes.map((m) => (m.minute === 60 ? { ...m, fees: m.fees * 2n } : m));
    const drifts = reconcile({
      blocks: [1, 2, 3],
      minutes: [60, 120],
      blockSummaries: { chain: blocks, speed: blocks, batch: blocks.filter((b) => b.number !== 2) },
      minuteSummaries: { chain: minutes, speed: doubled, batch: minutes },
    });
    expect(drifts).toEqual([
      { scope: 'block', key: 2, field: 'missing', values: { chain: 'present', speed: 'present', batch: 'absent' } },
      { scope: 'minute', key: 60, field: 'fees', values: { chain: '30', speed: '60', batch: '30' } },
    ]);
    expect(formatDrifts(drifts)).toMatch(/2 difference\(s\)/);
  });

  test('a reorged hash differs', () => {
    const blocks = chain.map(summarizeBlock);
    const orphan = blocks.map((b) => (b.number === 3 ? { ...b, hash: `0x${'f'.repeat(64)}` } : b));
    const drifts = reconcile({ blocks: [3], minutes: [], blockSummaries: { chain: blocks, speed: orphan }, minuteSummaries: {} });
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({ key: 3, field: 'hash' });
  });

  test('edge minutes shared with blocks outside the range are not comparable', () => {
    expect(wholeMinutes(chain, 59, 200)).toEqual([60, 120]);
    expect(wholeMinutes(chain, 62, 130)).toEqual([]);
    expect(wholeMinutes(chain, 30, 130)).toEqual([60]);
  });
});
