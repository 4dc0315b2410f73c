import { expect, test } from 'vitest';
import { orderedFetch } from './ordered.js';

test('fetches concurrently but hands results over strictly in order', async () => {
  let running = 0;
  let peak = 0;
  const f = orderedFetch({
    from: 5,
    to: 104,
    concurrency: 8,
    fetch: async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (n * 13) % 7));
      running--;
      return n;
    },
  });
  const got: number[] = [];
  while (!f.done()) got.push(...(await f.take(16)));
  expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i + 5));
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(8);
});

test('a failed height surfaces when it is taken, after the heights before it', async () => {
  const f = orderedFetch({ from: 0, to: 9, concurrency: 4, fetch: async (n) => (n === 3 ? Promise.reject(new Error('boom')) : n) });
  const got: number[] = [];
  const err = await (async () => {
    while (!f.done()) got.push(...(await f.take(1)));
  })().catch((e) => e);
  expect(got).toEqual([0, 1, 2]);
  expect(String(err)).toMatch(/boom/);
  f.close();
});

test('accept() cuts a batch without losing the refused item', async () => {
  const f = orderedFetch({ from: 0, to: 9, concurrency: 10, fetch: async (n) => n });
  await new Promise((r) => setTimeout(r, 5));
  const first = await f.take(10, (n) => n < 4);
  const rest = await f.take(10);
  expect(first).toEqual([0, 1, 2, 3]);
  expect(rest).toEqual([4, 5, 6, 7, 8, 9]);
});
