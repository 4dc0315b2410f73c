import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBooksScraper } from '../../shop/jobs/books-scrape.js';
import { createRecommender } from '../../shop/jobs/recommend.js';
import { fixtureBooks } from '../../shop/fixture-site/generate.js';
import { startFixtureSite } from '../../shop/fixture-site/server.js';
import { createDuck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { type ShopTestApp, loginAs, startShopApp } from './app.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

let env: ShopTestEnv;
let app: ShopTestApp;
let dataDir: string;
const fx = fixtureBooks();
const categoryOf = new Map(fx.map((b) => [b.slug, b.category]));

beforeAll(async () => {
  env = await shopTestEnv();
  dataDir = mkdtempSync(join(tmpdir(), 'shop-data-'));
  const site = await startFixtureSite();
  await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 10, retryBaseMs: 20 });
  await site.close();
  app = await startShopApp(env);
});
afterAll(async () => {
  await app?.close();
  await env?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const recommender = () => createRecommender({ store: env.store, logger: env.logger, dataDir });
const strip = (recs: { recBookId: string; rank: number; score: number; coCount: number }[]) => recs.map((r) => [r.rank, r.recBookId, r.score, r.coCount]);

describe('recommendations', () => {
  test('cold start (no carts): content based, same-category books rank first for every book', async () => {
    const r = await recommender().run();
    expect(r).toMatchObject({ books: 48, pairs: 480, carts: 0, coPairs: 0 });
    for (const b of fx) {
      const recs = (await env.store.getRecs(r.version, b.slug)).sort((x, y) => x.rank - y.rank);
      expect(recs.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // 8 books per category: the 7 others come first.
      expect(recs.slice(0, 7).map((x) => categoryOf.get(x.recBookId)), b.slug).toEqual(Array(7).fill(b.category));
      expect(recs.map((x) => x.recBookId)).not.toContain(b.slug);
      for (let i = 1; i < recs.length; i++) expect(recs[i - 1]!.score).toBeGreaterThanOrEqual(recs[i]!.score);
    }
    const api = await app.call('GET', `/books/${fx[0]!.upc}/recommendations?limit=3`);
    expect(api.status).toBe(200);
    expect(api.body.version).toBe(r.version);
    expect(api.body.items).toHaveLength(3);
    for (const item of api.body.items) expect(item.book.category).toBe(fx[0]!.category);
  });

  test('same input gives the same ranking (deterministic)', async () => {
    const a = await recommender().run();
    const b = await recommender().run();
    expect(a.version).not.toBe(b.version);
    for (const book of fx.slice(0, 6)) expect(strip(await env.store.getRecs(b.version, book.slug))).toEqual(strip(await env.store.getRecs(a.version, book.slug)));
  });

  test('books carted together are boosted above same-category books; the user feed follows carts', async () => {
    const poetry = fx[0]!; // Poetry
    const mystery = fx[1]!; // Mystery
    expect(poetry.category).not.toBe(mystery.category);
    for (const email of ['u1@shop.test', 'u2@shop.test']) {
      const u = await loginAs(env, app, email);
      await app.call('POST', '/carts/me/items', { token: u.token, body: { bookId: poetry.slug } });
      await app.call('POST', '/carts/me/items', { token: u.token, body: { bookId: mystery.slug } });
    }
    const r = await recommender().run();
    expect(r.carts).toBe(4);
    const recs = (await env.store.getRecs(r.version, poetry.slug)).sort((x, y) => x.rank - y.rank);
    expect(recs[0]).toMatchObject({ recBookId: mystery.slug, coCount: 2 });
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
    expect(recs.slice(1, 8).map((x) => categoryOf.get(x.recBookId))).toEqual(Array(7).fill(poetry.category));
    const back = (await env.store.getRecs(r.version, mystery.slug)).sort((x, y) => x.rank - y.rank);
    expect(back[0]).toMatchObject({ recBookId: poetry.slug, coCount: 2 });

    const viaApi = await app.call('GET', `/books/${poetry.slug}/recommendations`);
    expect(viaApi.body.version).toBe(r.version);
    expect(viaApi.body.items[0]).toMatchObject({ book: { id: mystery.slug }, coCount: 2 });

    // A new user who carts the poetry book gets the mystery book first; a user with no carts gets top-rated books.
    const u3 = await loginAs(env, app, 'u3@shop.test');
    await app.call('POST', '/carts/me/items', { token: u3.token, body: { bookId: poetry.slug } });
    const feed = await app.call('GET', '/users/me/recommendations?limit=5', { token: u3.token });
    expect(feed.body.basis).toBe('cart');
    expect(feed.body.items[0].book.id).toBe(mystery.slug);
    expect(feed.body.items.map((i: { book: { id: string } }) => i.book.id)).not.toContain(poetry.slug);
    const u4 = await loginAs(env, app, 'u4@shop.test');
    const cold = await app.call('GET', '/users/me/recommendations?limit=5', { token: u4.token });
    expect(cold.body.basis).toBe('top_rated');
    expect(cold.body.items.every((i: { book: { rating: number } }) => i.book.rating === 5)).toBe(true);
    expect((await app.call('GET', '/users/me/recommendations')).status).toBe(401);
  });

  test('each version is also a Parquet file under the shop data dir with a CURRENT pointer', async () => {
    const r = await recommender().run();
    expect(readFileSync(join(dataDir, 'recs', 'CURRENT'), 'utf8').trim()).toBe(r.version);
    const duck = await createDuck();
    const conn = await duck.connect();
    const rows = await queryRows(conn, `SELECT count(*) AS n, count(DISTINCT book_id) AS books FROM read_parquet(${sqlString(r.parquet!)})`);
    conn.closeSync();
    duck.close();
    expect(rows[0]).toEqual({ n: '480', books: '48' });
    expect((await env.store.currentRecsVersion())?.version).toBe(r.version);
    const runs = await env.store.listJobRuns('books-recommend');
    expect(runs[0]).toMatchObject({ runId: r.version, status: 'succeeded', rows: 480 });
  });

  test('keeps only the newest versions: older rows and Parquet files are deleted', async () => {
    const keep = createRecommender({ store: env.store, logger: env.logger, dataDir, keepVersions: 2 });
    const before = (await env.store.listJobRuns('books-recommend', 100)).filter((x) => x.status === 'succeeded').map((x) => x.runId);
    expect(before.length).toBeGreaterThanOrEqual(3);
    const r = await keep.run();
    const runs = await env.store.listJobRuns('books-recommend', 100);
    expect(runs.filter((x) => x.status === 'succeeded').map((x) => x.runId)).toEqual([r.version, before[0]]);
    expect(runs.filter((x) => x.status === 'pruned').map((x) => x.runId).sort()).toEqual(before.slice(1).sort());
    for (const old of before.slice(1)) {
      expect(await env.store.getRecs(old, fx[0]!.slug)).toEqual([]);
      expect(existsSync(join(dataDir, 'recs', old))).toBe(false);
    }
    expect(await env.store.getRecs(before[0]!, fx[0]!.slug)).toHaveLength(10);
    expect(existsSync(join(dataDir, 'recs', r.version, 'recs.parquet'))).toBe(true);
  });
});
