import { expect, test } from 'vitest';
import { createLogger } from '../core/logger.js';
import { scheduleBooksPipeline } from './scheduler.js';

const logger = createLogger({ level: 'silent', pretty: false });

test('runs the books pipeline on a seconds-level cron and skips ticks while a run is going', async () => {
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
  let calls = 0;
  const task = scheduleBooksPipeline('*/1 * * * * *', async () => {
    calls++;
    throw new Error('site down');
  }, logger);
  await new Promise((r) => setTimeout(r, 3_300));
  await task.stop();
  expect(calls).toBeGreaterThanOrEqual(2);
});

test('runNow shares the no-overlap guard with the cron ticks; stop waits for the run', async () => {
  const triggers: string[] = [];
  let finished = false;
  const task = scheduleBooksPipeline('0 0 1 1 *', async (trigger) => {
    triggers.push(trigger);
    await new Promise((r) => setTimeout(r, 200));
    finished = true;
  }, logger);
  expect(task.runNow('start')).not.toBeNull();
  expect(task.runNow('start')).toBeNull();
  await task.stop();
  expect(finished).toBe(true);
  expect(triggers).toEqual(['start']);
});
