import { describe, expect, test } from 'vitest';
import { addressHistoryPage } from './history.js';
import type { BatchSource, JsonRow, SpeedSource } from './sources.js';

// In-memory fakes: speed holds blocks ≥ 50 (newest first, paged by offset), the lake holds every block.
const row = (block: number, index: number, side = 'from'): JsonRow => ({ txHash: `0x${block}-${index}`, blockNumber: block, transactionIndex: index, side });
const all = Array.from({ length: 100 }, (_, i) => row(100 - i, i % 3)).sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber));

function fakes(speedRows: JsonRow[]) {
  const speed = {
    addressHistory: async (_a: string, o: { limit: number; cursor?: string }) => {
      const start = o.cursor ? Number(o.cursor) : 0;
      const items = speedRows.slice(start, start + o.limit);
      return { items, nextCursor: start + o.limit < speedRows.length ? String(start + o.limit) : null };
    },
  } as unknown as SpeedSource;
  const batch = {
    addressHistory: async (_a: string, o: { beforeBlock: number | null; after?: { block: number; index: number }; limit: number }) =>
      all
        .filter((r) => (o.beforeBlock === null || Number(r.blockNumber) < o.beforeBlock) && (!o.after || Number(r.blockNumber) < o.after.block || (Number(r.blockNumber) === o.after.block && Number(r.transactionIndex) < o.after.index)))
        .slice(0, o.limit),
  } as unknown as BatchSource;
  return { speed, batch };
}

async function pageAll(speedRows: JsonRow[], limit: number) {
  const sources = fakes(speedRows);
  const out: JsonRow[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const p = await addressHistoryPage(sources, '0xabc', { limit, ...(cursor ? { cursor } : {}) });
    expect(p.items.length).toBeLessThanOrEqual(limit);
    out.push(...p.items);
    if (!p.nextCursor) return out;
    cursor = p.nextCursor;
  }
  throw new Error('did not terminate');
}

describe('addressHistoryPage', () => {
  test.each([1, 7, 25, 51, 200])('pages speed then lake with limit %i: every row once, newest first', async (limit) => {
    const speedRows = all.filter((r) => Number(r.blockNumber) >= 50);
    const rows = await pageAll(speedRows, limit);
    expect(rows.map((r) => r.txHash)).toEqual(all.map((r) => r.txHash));
  });
  test('no speed rows: everything from the lake', async () => {
    expect((await pageAll([], 9)).map((r) => r.txHash)).toEqual(all.map((r) => r.txHash));
  });
  test('a cursor that was not issued is a validation error', async () => {
    await expect(addressHistoryPage(fakes([]), '0xabc', { limit: 5, cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });
});
