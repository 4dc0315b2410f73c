import { expect, test } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { scheduleBooksPipeline } from './schedule-books.js';

test('runs the books pipeline on a seconds-level cron and skips ticks while a run is going', async () => {
  const logger = createLogger({ level: 'silent', pretty: false });
  let started = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  // Each run lasts ~2.5 ticks, so some ticks must find it still running.
  const task = scheduleBooksPipeline('*/1 * * * * *', async () => {
    started++;
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    await new Promise((r) => setTimeout(r, 2_500));
    concurrent--;
  }, logger);
  await new Promise((r) => setTimeout(r, 6_500));
  await task.stop();
  expect(started).toBeGreaterThanOrEqual(2);
  expect(started).toBeLessThanOrEqual(3);
  expect(maxConcurrent).toBe(1);
});

test('a failing run is logged and the next tick runs again', async () => {
  const logger = createLogger({ level: 'silent', pretty: false });
  let calls = 0;
  const task = scheduleBooksPipeline('*/1 * * * * *', async () => {
    calls++;
    throw new Error('site down');
  }, logger);
  await new Promise((r) => setTimeout(r, 3_300));
  await task.stop();
  expect(calls).toBeGreaterThanOrEqual(2);
});
