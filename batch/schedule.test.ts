import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { parseConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createMetricsRegistry } from '../core/metrics.js';
import { createShutdown } from '../core/shutdown.js';
import { changedFileDays } from './recompute/recompute.js';
import { createBatchScheduler, type RunStore } from './schedule.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(job: () => Promise<Record<string, unknown>>) {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-sched-unit-'));
  dirs.push(lake);
  const logger = createLogger({ level: 'silent', pretty: false });
  const common = { config: parseConfig({ LAKE_DIR: lake }), logger, metrics: createMetricsRegistry({ process: 'unit' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
  const events: string[] = [];
  const requests = [{ id: 'r1', kind: 'recompute' as const, requestedBy: 'admin' }];
  const store: RunStore = {
    start: async (kind, trigger) => (events.push(`start:${kind}:${trigger}`), { id: String(events.length) }),
    finish: async (_r, res) => void events.push(`finish:${res.status}${res.error ? `:${res.error}` : ''}`),
    skipped: async (kind, trigger) => void events.push(`skipped:${kind}:${trigger}`),
    pendingRequests: async () => [...requests],
    claim: async (req) => {
      const i = requests.findIndex((r) => r.id === req.id);
      if (i < 0) return false;
      requests.splice(i, 1);
      return true;
    },
  };
  const scheduler = createBatchScheduler(common, { store, jobs: { recompute: job, compact: async () => ({}) } }, { batchCron: '0 0 1 1 *', compactCron: null, requestPollMs: 10_000 });
  return { scheduler, events };
}

test('a recompute that starts while another runs is skipped and recorded, not queued', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { scheduler, events } = await setup(async () => (await gate, { version: 'v1', horizon: 10 }));
  const first = scheduler.run('recompute', 'cron');
  await new Promise((r) => setTimeout(r, 20));
  const second = await scheduler.run('recompute', 'manual');
  expect(second.status).toBe('skipped');
  release();
  expect((await first).status).toBe('succeeded');
  expect(events).toEqual(['start:recompute:cron', 'skipped:recompute:manual', 'finish:succeeded']);
  // The lock is free again afterwards.
  expect((await scheduler.run('recompute', 'manual')).status).toBe('succeeded');
});

test('a failing job is recorded as failed with its error and releases the lock', async () => {
  const { scheduler, events } = await setup(async () => {
    throw new Error('disk full');
  });
  expect(await scheduler.run('recompute', 'cron')).toMatchObject({ status: 'failed', error: 'disk full' });
  expect(events).toEqual(['start:recompute:cron', 'finish:failed:disk full']);
  expect((await scheduler.run('recompute', 'cron')).status).toBe('failed');
});

test('run requests are claimed once and run with trigger api', async () => {
  const { scheduler, events } = await setup(async () => ({}));
  expect(await scheduler.pollRequests()).toBe(1);
  expect(await scheduler.pollRequests()).toBe(0);
  expect(events).toEqual(['start:recompute:api', 'finish:succeeded']);
});

test('changedFileDays reports days whose file lists differ, appear or disappear', () => {
  expect([...changedFileDays({ d1: ['a'], d2: ['b'], d3: ['c'] }, { d1: ['a'], d2: ['b', 'b2'], d4: ['d'] })].sort()).toEqual(['d2', 'd3', 'd4']);
});
