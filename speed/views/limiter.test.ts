import { expect, test } from 'vitest';
import { createLimiter } from './limiter.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('never runs more than max tasks at once across groups, and schedule waits for a slot (backpressure)', async () => {
  const limiter = createLimiter(3);
  const a = limiter.group();
  const b = limiter.group();
  let running = 0;
  let peak = 0;
  const task = async () => {
    running++;
    peak = Math.max(peak, running);
    await tick();
    running--;
  };
  let scheduled = 0;
  const loop = (async () => {
    for (let i = 0; i < 20; i++) {
      await (i % 2 ? a : b).schedule(task);
      scheduled++;
    }
  })();
  await Promise.resolve();
  // The loop is blocked after filling the slots.
  expect(scheduled).toBeLessThanOrEqual(3);
  await loop;
  await a.drain();
  await b.drain();
  expect(peak).toBe(3);
  expect(limiter.active()).toBe(0);
});

test('a group drains only its own tasks and reports only its own first error', async () => {
  const limiter = createLimiter(4);
  const good = limiter.group();
  const bad = limiter.group();
  let slowDone = false;
  await good.schedule(async () => {
    await new Promise((r) => setTimeout(r, 30));
    slowDone = true;
  });
  await bad.schedule(async () => {
    throw new Error('write failed');
  });
  await bad.schedule(async () => {
    throw new Error('second failure');
  });
  await expect(bad.drain()).rejects.toThrow('write failed');
  expect(slowDone).toBe(false);
  await good.drain();
  expect(slowDone).toBe(true);
  // The error was consumed by the drain that threw it.
  await expect(bad.drain()).resolves.toBeUndefined();
  expect(limiter.active()).toBe(0);
});
