// The shop scheduler against Cassandra and the fixture site: an empty catalogue is filled
// at start (no waiting for BOOKS_CRON); a catalogue that has books is left to the cron.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Common } from '../../core/common.js';
import { createShutdown } from '../../core/shutdown.js';
import { type FixtureSite, startFixtureSite } from '../../shop/fixture-site/server.js';
import { createShopScheduler } from '../../shop/scheduler.js';
import { startShopApp } from './app.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

// A cron that does not fire during the test (1 January, midnight).
const NEVER = '0 0 1 1 *';

let env: ShopTestEnv;
let site: FixtureSite;
let common: Common;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'shop-sched-'));
  env = await shopTestEnv({ SHOP_DATA_DIR: dataDir, BOOKS_MAX_PAGES: '1', DUCKDB_MEMORY_LIMIT: '512MB' });
  site = await startFixtureSite();
  common = { config: env.config, logger: env.logger, metrics: new Registry(), shutdown: createShutdown(env.logger, { installSignalHandlers: false }) };
});
afterAll(async () => {
  await site?.close();
  await env?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('shop scheduler start', () => {
  test('empty catalogue: one scrape + recommendations right at start, without the cron firing', async () => {
    expect(await env.store.hasBooks()).toBe(false);
    const scheduler = createShopScheduler(common, env.store, { cron: NEVER, baseUrl: site.url });
    await scheduler.start();
    await vi.waitFor(async () => expect(await env.store.hasBooks()).toBe(true), { timeout: 30_000, interval: 200 });
    await scheduler.stop(); // waits for the recommendations of that run
    const [scrape] = await env.store.listJobRuns('books-scrape');
    expect(scrape).toMatchObject({ status: 'succeeded', trigger: 'start' });
    expect((await env.store.listJobRuns('books-recommend'))[0]).toMatchObject({ status: 'succeeded', trigger: 'start' });
    expect(await env.store.currentRecsVersion()).not.toBeNull();
    // The runs are what GET /shop/runs (the dashboard's Shop → Jobs tab) lists, newest first.
    const app = await startShopApp(env);
    try {
      const res = await app.call('GET', '/shop/runs?limit=5');
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { kind: string }) => r.kind)).toEqual(['books-recommend', 'books-scrape']);
      expect(res.body.items[1]).toMatchObject({ runId: scrape!.runId, status: 'succeeded', trigger: 'start', rows: scrape!.rows, finishedAt: expect.any(String) });
      expect((await app.call('GET', '/shop/runs?kind=nope')).status).toBe(400);
    } finally {
      await app.close();
    }
  });

  test('a catalogue that has books: no scrape at start', async () => {
    const before = site.requests.length;
    const runsBefore = (await env.store.listJobRuns('books-scrape', 100)).length;
    const scheduler = createShopScheduler(common, env.store, { cron: NEVER, baseUrl: site.url });
    await scheduler.start();
    await scheduler.stop();
    expect(site.requests.length).toBe(before);
    expect(await env.store.listJobRuns('books-scrape', 100)).toHaveLength(runsBefore);
  });

  test('BOOKS_CRON=off: nothing runs, not even on an empty catalogue', async () => {
    let runs = 0;
    const scheduler = createShopScheduler(common, { ...env.store, hasBooks: async () => false }, { cron: 'off', run: async () => void runs++ });
    await scheduler.start();
    await scheduler.stop();
    expect(runs).toBe(0);
  });
});
