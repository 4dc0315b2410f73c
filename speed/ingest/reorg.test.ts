import { describe, expect, test } from 'vitest';
import { FatalError, RetryableError } from '../../core/errors.js';
import { breaksChain, planReorg } from './reorg.js';
import { memChain } from './testing.js';

describe('planReorg', () => {
  test('walks back to the common ancestor: retractions newest first, then the new blocks ascending', async () => {
    const chain = memChain(20);
    const window = chain.blocks.slice(10, 20).map((b) => ({ ...b }));
    chain.fork(16, 5, 'fork');
    const src = chain.source();
    const mismatched = await src.fetch(20);
    expect(breaksChain(window[window.length - 1] ?? null, mismatched)).toBe(true);
    const plan = await planReorg({ chainId: 1, window, mismatched, fetch: (n) => src.fetch(n) });
    expect(plan.ancestor).toBe(16);
    expect(plan.depth).toBe(3);
    expect(plan.retractions.map((r) => r.block.number)).toEqual([19, 18, 17]);
    expect(plan.retractions.map((r) => r.block.hash)).toEqual([19, 18, 17].map((n) => window.find((b) => b.number === n)?.hash));
    expect(plan.retractions.map((r) => r.replacedBy)).toEqual([19, 18, 17].map((n) => chain.blocks[n]?.hash));
    expect(plan.newBlocks.map((b) => b.number)).toEqual([17, 18, 19, 20]);
    expect(plan.newBlocks.map((b) => b.hash)).toEqual([17, 18, 19, 20].map((n) => chain.blocks[n]?.hash));
  });

  test('a one-block reorg retracts only the tip', async () => {
    const chain = memChain(10);
    const window = chain.blocks.map((b) => ({ ...b }));
    chain.fork(8, 2, 'fork');
    const src = chain.source();
    const plan = await planReorg({ chainId: 1, window, mismatched: await src.fetch(10), fetch: (n) => src.fetch(n) });
    expect(plan.ancestor).toBe(8);
    expect(plan.retractions.map((r) => r.block.number)).toEqual([9]);
    expect(plan.newBlocks.map((b) => b.number)).toEqual([9, 10]);
  });

  test('a reorg deeper than the window is a loud FatalError', async () => {
    const chain = memChain(30);
    const window = chain.blocks.slice(25, 30).map((b) => ({ ...b }));
    chain.fork(20, 12, 'deep');
    const src = chain.source();
    const err = await planReorg({ chainId: 1, window, mismatched: await src.fetch(30), fetch: (n) => src.fetch(n) }).catch((e) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(String(err.message)).toMatch(/REORG DEEPER THAN THE WINDOW/);
  });

  test('the chain changing again during the walk is retryable', async () => {
    const chain = memChain(20);
    const window = chain.blocks.map((b) => ({ ...b }));
    chain.fork(15, 6, 'a');
    const src = chain.source();
    const mismatched = await src.fetch(20);
    chain.fork(15, 6, 'b');
    const err = await planReorg({ chainId: 1, window, mismatched, fetch: (n) => src.fetch(n) }).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
  });
});
