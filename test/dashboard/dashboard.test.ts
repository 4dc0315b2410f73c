// The browser dashboard against a real running stack: a private anvil with traffic →
// ingest → Kafka → views consumer → Cassandra → serving (with the shop API and the static
// dashboard), driven by headless Debian chromium through playwright-core. Every page is
// screenshotted under artifacts/screenshots/ on each run.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cassandraRunStore } from '../../batch/runs.js';
import { createCompactor } from '../../batch/compact/compactor.js';
import { createBooksScraper } from '../../shop/jobs/books-scrape.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { type BatchScheduler, createBatchScheduler } from '../../batch/schedule.js';
import type { Common } from '../../core/common.js';
import { createCommon } from '../../core/runtime.js';
import { startFixtureSite, type FixtureSite } from '../../shop/fixture-site/server.js';
import { startTraffic, type TrafficHandle } from '../../ops/traffic/generator.js';
import { shopPlugin } from '../../shop/plugin.js';
import { type ServingHandle, startServing } from '../../serving/server.js';
import { createIngest, type Ingest } from '../../speed/ingest/ingest.js';
import { createViewsConsumer, type ViewsConsumer } from '../../speed/views/consumer.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck, type Duck } from '../../storage/lake/duck.js';
import { hashPassword } from '../../shop/auth.js';
import { openShopStore } from '../../shop/store.js';
import { freePort, startAnvil, type TestAnvil, testConfig, testLogger } from '../helpers.js';
import { waitForValue } from '../../core/wait.js';

const SHOTS = resolve('artifacts/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { email: 'admin@dashboard.test', password: 'dashboard-admin-pw' };
const ADMIN_KEY = 'cl_dashboard_test_admin_key';

let anvil: TestAnvil;
let common: Common;
let cassandra: CassandraClient;
let traffic: TrafficHandle | undefined;
let ingest: Ingest;
let ingestRun: Promise<void>;
let views: ViewsConsumer;
let site: FixtureSite;
let serving: ServingHandle;
let lakeDir: string;
let duck: Duck;
let scheduler: BatchScheduler;
let userDataDir: string;
let context: BrowserContext;
let page: Page;


const getJson = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${serving.url}${path}`, init);
  return { status: r.status, body: (await r.json()) as any };
};

async function shot(name: string, p: Page = page) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Opens a hash route and waits until the page module has rendered its heading. */
async function open(route: string) {
  await page.goto(`${serving.url}/#${route}`);
  await page.locator('main h1').first().waitFor();
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-dash-lake-'));
  anvil = await startAnvil({ blockTime: 1 });
  const config = testConfig({
    ETH_RPC_URLS: anvil.url,
    RPC_DEFAULT_RPS: '2000',
    POLL_INTERVAL_MS: '200',
    START_BLOCK: '0',
    LAKE_DIR: lakeDir,
    PUBLIC_READ: 'true',
    API_RATE_LIMIT_RPS: '1000',
    CACHE_TTL_MS: '250',
    FINALITY_DEPTH: '2',
    ADMIN_BOOTSTRAP_KEY: ADMIN_KEY,
  });
  const logger = testLogger();
  common = createCommon('dashboard-test', { config, installSignalHandlers: false });
  cassandra = await createCassandra(config, logger);

  traffic = await startTraffic({ rpcUrl: anvil.url, tps: 15, logger, seed: 11, accounts: 5 });
  ingest = await createIngest(common, { cassandra });
  ingestRun = ingest.run();
  views = createViewsConsumer(common, { cassandra, kafka: createKafka(config, logger, 'dashboard-views'), chainId: ingest.chainId, sessionTimeoutMs: 6000 });
  await views.start();

  // Books for the shop: the real scraper against the bundled fixture site.
  const store = await openShopStore(cassandra, config, logger);
  site = await startFixtureSite({ port: await freePort() });
  const scrape = await createBooksScraper({ store, logger }).run({ baseUrl: site.url, maxPages: 1, retries: 1, retryBaseMs: 10 });
  expect(scrape.inserted).toBeGreaterThan(0);
  await store.createUser({ email: ADMIN.email, name: 'Dashboard admin', role: 'admin', passwordHash: await hashPassword(ADMIN.password) });

  serving = await startServing(common, {
    cassandra,
    chainId: ingest.chainId,
    streamPollMs: 250,
    authLookupCacheMs: 0,
    dashboardDir: resolve('dashboard'),
    plugins: [shopPlugin(store)],
  });
  // The speed views must hold blocks before the browser looks at them.
  await waitForValue('blocks in the speed views', async () => ((await getJson('/api/v1/blocks/latest?limit=5')).body.items?.length ?? 0) >= 3, 60_000, { everyMs: 200 });

  // The batch layer, as the scheduler runs it: compact Kafka → Parquet, then recompute a version.
  duck = await createDuck({ threads: 1, memoryLimit: '512MB' });
  const kafka = createKafka(config, logger, 'dashboard-batch');
  const chainId = ingest.chainId;
  scheduler = createBatchScheduler(
    common,
    {
      store: cassandraRunStore(cassandra),
      jobs: {
        compact: async () => {
          const s = await createCompactor(common, { kafka, duck }, { chainId, mode: 'drain', sessionTimeoutMs: 6000 }).run();
          return { rowsIn: s.records, rowsOut: s.txs };
        },
        recompute: async () => {
          const r = await recompute(common, { duck }, { chainId });
          return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
        },
      },
    },
    { batchCron: '0 0 1 1 *', compactCron: null, requestPollMs: 60_000 },
  );
  expect((await scheduler.run('compact', 'manual')).status).toBe('succeeded');
  expect((await scheduler.run('recompute', 'manual')).status).toBe('succeeded');
  await waitForValue('a batch horizon', async () => (await getJson('/api/v1/freshness')).body.batch?.horizon !== null, 10_000, { everyMs: 200 });

  userDataDir = await mkdtemp(join(tmpdir(), 'chainlake-dash-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await traffic?.stop().catch(() => {});
  await serving?.close().catch(() => {});
  await views?.stop().catch(() => {});
  await common?.shutdown.run('test done').catch(() => {});
  await ingestRun?.catch(() => {});
  await site?.close().catch(() => {});
  await anvil?.stop();
  if (cassandra) {
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${common.config.CASSANDRA_KEYSPACE}`).catch(() => {});
    await cassandra.shutdown().catch(() => {});
  }
  await scheduler?.stop().catch(() => {});
  duck?.close();
  await rm(lakeDir, { recursive: true, force: true }).catch(() => {});
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}, 60_000);

describe('dashboard in headless chromium', () => {
  test('live page: the per-block chart grows from the SSE stream without a reload', async () => {
    await open('/live');
    const points = () => page.evaluate(() => (window as any).__charts?.gas?.data.datasets[0].data.length ?? 0);
    const marker = await page.evaluate(() => ((window as any).__liveMarker = Math.random()));
    const before = await waitForValue('the gas chart to have points', async () => (await points()) || null, 15_000, { everyMs: 200 });
    const xs = () => page.evaluate(() => ((window as any).__charts.gas.data.datasets[0].data as { x: number }[]).map((p) => p.x));
    const xsBefore = await xs();
    const lastBefore = xsBefore.at(-1)!;
    // A block newer than any drawn arrives through the stream.
    await waitForValue('a new block point from the stream', async () => ((await xs()).at(-1)! > lastBefore) || null, 10_000, { everyMs: 200 });
    const xsAfter = await xs();
    const lastAfter = xsAfter.at(-1)!;
    expect(xsAfter.length, `before ${xsBefore.join(',')} after ${xsAfter.join(',')}`).toBeGreaterThan(before);
    // Same document: the data grew without a navigation.
    expect(await page.evaluate(() => (window as any).__liveMarker)).toBe(marker);
    // The newest block in the chart is one the API knows.
    const b = await getJson(`/api/v1/blocks/${lastAfter}`);
    expect(b.status).toBe(200);
    await expect.poll(() => page.locator('#stream-state').textContent(), { timeout: 5_000 }).toBe('stream: live');
    expect(await page.locator('#freshness .badge').count()).toBeGreaterThanOrEqual(3);
    await shot('live');
    // Wall-screen width: the same page at 2560×1440 keeps its panels side by side.
    await page.setViewportSize({ width: 2560, height: 1440 });
    await shot('live-wall');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  test('clicking a block row opens that block page', async () => {
    await open('/live');
    const row = page.locator('#p-blocks tbody tr').nth(1);
    await row.waitFor();
    // Hovering pauses the live table, so the row read here is the row clicked.
    await page.locator('#p-blocks table').hover();
    const number = await row.getAttribute('data-block');
    expect(number).toMatch(/^\d+$/);
    await row.locator('td').nth(2).click();
    await page.waitForURL(new RegExp(`#/block/${number}$`));
    await expect.poll(() => page.locator('#block-number').textContent()).toBe(number);
    expect(await page.locator('main h1').textContent()).toBe(`Block #${number}`);
    await shot('block');
  });

  test('explorer: transaction and address pages render API data', async () => {
    // A tx from a traffic account's history (speed views, by address).
    const sender = await waitForValue('a transaction in the address index', findTx, 20_000, { everyMs: 200 });
    await open(`/tx/${sender.txHash}`);
    await page.locator('#tx-overview dl').waitFor();
    expect(await page.locator('#tx-overview').textContent()).toContain(sender.txHash);
    await shot('tx');
    await open(`/address/${sender.address}`);
    await page.locator('#address-history tbody tr').first().waitFor();
    expect(await page.locator('#address-history tbody tr').count()).toBeGreaterThan(0);
    await shot('address');
  });

  test('SQL console shows rows of a query and the error text of a bad one', async () => {
    await open('/sql');
    await page.fill('#sql-input', "SELECT * FROM (VALUES (1, 'alpha'), (2, 'beta'), (3, 'gamma')) AS t(n, word) ORDER BY n");
    await page.click('#sql-run');
    await page.locator('#p-sql-results tbody tr').first().waitFor();
    expect(await page.locator('#p-sql-results tbody tr').count()).toBe(3);
    expect(await page.locator('#p-sql-results tbody tr').nth(1).textContent()).toContain('beta');
    expect(await page.locator('#sql-meta').textContent()).toContain('3 rows');
    await shot('sql');

    const bad = 'SELECT missing_column FROM (VALUES (1)) AS t(n)';
    const api = await getJson('/api/v1/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: bad }) });
    expect(api.status).toBe(400);
    await page.fill('#sql-input', bad);
    await page.click('#sql-run');
    const alert = page.locator('#p-sql-results [role=alert] .error-message');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(api.body.error.message);
    expect(api.body.error.message).toContain('missing_column');
    await shot('sql-error');
  });

  test('product form: a negative price is rejected inline, a valid product is created and listed', async () => {
    await login(ADMIN.email, ADMIN.password);
    await open('/shop/products');
    await page.locator('#product-form').waitFor();
    const form = page.locator('#product-form');
    const name = `Lamp ${Date.now().toString(36)}`;
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Price (e.g. 19.99)').fill('-5');
    await form.getByLabel('Stock').fill('3');
    await form.getByLabel('Supplier e-mail').fill('supplier@example.com');
    await form.getByRole('button', { name: 'Create product' }).click();
    const priceError = page.locator('.field-error[data-field="price"]');
    await expect.poll(() => priceError.textContent()).toMatch(/^price: /);
    expect(await priceError.isVisible()).toBe(true);
    expect(await form.getByLabel('Price (e.g. 19.99)').getAttribute('aria-invalid')).toBe('true');
    expect((await getJson('/api/v1/products?limit=100')).body.items.some((p: { name: string }) => p.name === name)).toBe(false);
    await shot('products-invalid');

    await form.getByLabel('Price (e.g. 19.99)').fill('24.50');
    await form.getByRole('button', { name: 'Create product' }).click();
    await page.locator('#p-products tbody tr', { hasText: name }).waitFor();
    const created = (await getJson('/api/v1/products?limit=100')).body.items.find((p: { name: string }) => p.name === name);
    expect(created).toMatchObject({ price: '24.50', stock: 3, supplierEmail: 'supplier@example.com' });
    expect(await page.locator('#p-products tbody tr', { hasText: name }).textContent()).toContain('24.50');
    await shot('products');
  });

  test('adding a book to the cart updates the cart total', async () => {
    await login(ADMIN.email, ADMIN.password);
    await open('/shop/books');
    const first = page.locator('#book-results article.book').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/ }) }).first();
    await first.waitFor();
    const bookId = await first.getAttribute('data-book');
    const book = (await getJson(`/api/v1/books/${encodeURIComponent(bookId!)}`)).body as { priceInclTax: string; currency: string; title: string };
    await shot('books');
    await first.getByRole('button', { name: /^Add .* to cart$/ }).click();
    await first.locator('.book-status .ok-text').waitFor();
    await first.getByRole('button', { name: /^Add .* to cart$/ }).click();
    await expect.poll(() => first.locator('.book-status').textContent()).toContain('2 items');
    await open('/shop/cart');
    await page.locator('#cart-total').waitFor();
    const twice = (Math.round(Number(book.priceInclTax) * 100) * 2 / 100).toFixed(2);
    expect(await page.locator('#cart-total').textContent()).toBe(`${book.currency} ${twice}`);
    // Changing the quantity to 1 updates the total again.
    await page.getByLabel(`Quantity of ${book.title}`).fill('1');
    await page.getByLabel(`Quantity of ${book.title}`).dispatchEvent('change');
    await expect.poll(() => page.locator('#cart-total').textContent()).toBe(`${book.currency} ${book.priceInclTax}`);
    await shot('cart');
    await open(`/shop/book/${encodeURIComponent(bookId!)}`);
    await page.locator('#p-recs').waitFor();
    await shot('book');
  });

  test('batch page lists runs; "Trigger recompute" rejects a wrong key and queues a run with the admin key', async () => {
    await open('/batch');
    await page.locator('#p-batch-runs tbody tr').first().waitFor();
    const kinds = await page.locator('#p-batch-runs tbody tr td:nth-child(2)').allTextContents();
    expect(kinds).toEqual(expect.arrayContaining(['compact', 'recompute']));
    const horizon = (await getJson('/api/v1/freshness')).body.batch.horizon as number;
    expect(await page.locator('#batch-version').textContent()).toContain(`#${horizon.toLocaleString('en-US')}`);

    await page.getByLabel('Admin API key').fill('cl_not_a_key');
    await page.getByRole('button', { name: 'Trigger recompute' }).click();
    await page.locator('#recompute-result [role=alert]').waitFor();
    expect(await page.locator('#recompute-result').textContent()).toContain('Check the admin key');
    expect(await page.evaluate(() => sessionStorage.getItem('chainlake.apiKey'))).toBeNull();

    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Trigger recompute' }).click();
    await page.locator('#recompute-result .ok-text').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('chainlake.apiKey'))).toBe(ADMIN_KEY);
    // The scheduler picks the request up (here: one poll instead of waiting for its timer).
    expect(await scheduler.pollRequests()).toBe(1);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#p-batch-runs tbody tr', { hasText: 'api' }).first().waitFor();
    expect(await page.locator('#p-batch-runs tbody tr').first().textContent()).toMatch(/recompute\s*api\s*succeeded/);
    await shot('batch');
    await page.evaluate(() => sessionStorage.removeItem('chainlake.apiKey'));
  });

  test('history, batch, ops, account and shop jobs pages render without errors', async () => {
    for (const [route, name, ready] of [
      ['/history', 'history', '#history-status'],
      ['/ops', 'ops', '#p-ops-freshness dl'],
      ['/explorer', 'explorer', 'main form[role=search]'],
      ['/shop/account', 'account', '#p-register form'],
      ['/shop/jobs', 'shop-jobs', '#p-shop-runs tbody tr'],
    ] as const) {
      const errors: string[] = [];
      const onError = (e: Error) => errors.push(e.message);
      page.on('pageerror', onError);
      await open(route);
      await page.locator(ready).first().waitFor();
      if (name === 'history') await expect.poll(() => page.locator('#history-status').textContent(), { timeout: 10_000 }).toMatch(/txs in/);
      // The setup's scrape is in the shop's own run history (GET /shop/runs), not in the batch runs.
      if (name === 'shop-jobs') expect(await page.locator('#p-shop-runs tbody tr').first().textContent()).toMatch(/books-scrape\s*manual\s*succeeded/);
      await shot(name);
      page.off('pageerror', onError);
      expect(errors, `${route} threw`).toEqual([]);
    }
    // The history chart draws the /stats buckets: its bars add up to the total the API reported.
    await open('/history');
    await expect.poll(() => page.locator('#history-status').textContent(), { timeout: 10_000 }).toMatch(/txs in/);
    const shown = Number((await page.locator('#history-status').textContent())!.split(' txs')[0]!.replaceAll(',', ''));
    const drawn = await page.evaluate(() =>
      ((window as any).__charts.history.data.datasets as { data: { y: number }[] }[]).slice(0, 3).reduce((s, d) => s + d.data.reduce((t, p) => t + p.y, 0), 0),
    );
    expect(shown).toBeGreaterThan(0);
    expect(drawn).toBe(shown);
    // The batch horizon is drawn at the time of the horizon block.
    const f = (await getJson('/api/v1/freshness')).body as { batch: { horizon: number } };
    const horizonBlock = (await getJson(`/api/v1/blocks/${f.batch.horizon}`)).body as { timestamp: number };
    await expect
      .poll(() => page.evaluate(() => (window as any).__charts.history.options.plugins.horizonMarker.value))
      .toBe(horizonBlock.timestamp * 1000);
    await shot('history');
  });
});

/** A tx hash and one of its addresses from the speed views (via the API's address index). */
async function findTx(): Promise<{ txHash: string; address: string } | null> {
  // Traffic accounts are anvil's dev accounts; the first one sends.
  const address = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
  const page = (await getJson(`/api/v1/addresses/${address}/txs?limit=5`)).body as { items: { txHash: string }[] };
  const first = page.items?.[0];
  return first ? { txHash: first.txHash, address } : null;
}

async function login(email: string, password: string) {
  await open('/shop/account');
  if (await page.locator('#login-form').count()) {
    await page.locator('#login-form').getByLabel('E-mail').fill(email);
    await page.locator('#login-form').getByLabel('Password').fill(password);
    await page.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/#\/shop\/books$/);
  }
}
