import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBooksScraper } from '../../shop/jobs/books-scrape.js';
import { fixtureBooks } from '../../shop/fixture-site/generate.js';
import { startFixtureSite } from '../../shop/fixture-site/server.js';
import { type ShopTestApp, startShopApp } from './app.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

let env: ShopTestEnv;
let app: ShopTestApp;
const fx = fixtureBooks();
const price = (b: (typeof fx)[number]) => b.priceExcl + b.tax;

beforeAll(async () => {
  env = await shopTestEnv();
  const site = await startFixtureSite();
  await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 10, retryBaseMs: 20 });
  await site.close();
  app = await startShopApp(env);
});
afterAll(async () => {
  await app?.close();
  await env?.close();
});

describe('books API over the scraped fixture catalogue', () => {
  test('lists every book with a total, 20 per page by default', async () => {
    const first = await app.call('GET', '/books');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 48, page: 1, limit: 20 });
    expect(first.body.items).toHaveLength(20);
    const last = await app.call('GET', '/books?page=3');
    expect(last.body.items).toHaveLength(8);
    const all = [...first.body.items, ...(await app.call('GET', '/books?page=2')).body.items, ...last.body.items].map((b: { id: string }) => b.id);
    expect(new Set(all).size).toBe(48);
  });

  test('title search is case-insensitive', async () => {
    const word = fx[7]!.title.split(' ')[1]!; // an adjective from a title
    const res = await app.call('GET', `/books?q=${encodeURIComponent(word.toUpperCase())}&limit=100`);
    const expected = fx.filter((b) => b.title.toLowerCase().includes(word.toLowerCase())).map((b) => b.slug).sort();
    expect(res.body.items.map((b: { id: string }) => b.id).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  test('filters combine: category, rating, price range, in stock', async () => {
    const res = await app.call('GET', '/books?category=Poetry&minPrice=10&maxPrice=40&inStock=true&limit=100');
    const expected = fx.filter((b) => b.category === 'Poetry' && price(b) >= 1000 && price(b) <= 4000 && b.availability > 0).map((b) => b.slug).sort();
    expect(res.body.items.map((b: { id: string }) => b.id).sort()).toEqual(expected);
    const five = await app.call('GET', '/books?rating=5&limit=100');
    expect(five.body.total).toBe(fx.filter((b) => b.rating === 5).length);
    const out = await app.call('GET', '/books?inStock=false');
    expect(out.body.items.map((b: { id: string }) => b.id)).toEqual([fx[5]!.slug]);
    expect(out.body.items[0]).toMatchObject({ inStock: false, availability: 0 });
  });

  test('sorts by price ascending with exact decimal strings', async () => {
    const res = await app.call('GET', '/books?sort=price&limit=3');
    const third = [...fx].map(price).sort((a, b) => a - b)[2]!;
    const pounds = `${Math.floor(third / 100)}.${String(third % 100).padStart(2, '0')}`;
    expect(res.body.items.map((b: { price: string }) => b.price)).toEqual(['0.10', '0.20', pounds]);
    expect(res.body.items[0].id).toBe(fx[1]!.slug);
    const desc = await app.call('GET', '/books?sort=-rating&limit=100');
    const ratings = desc.body.items.map((b: { rating: number }) => b.rating);
    expect(ratings).toEqual([...ratings].sort((a: number, b: number) => b - a));
  });

  test('one book by id or by UPC; unknown is 404; bad query is 400', async () => {
    const byId = await app.call('GET', `/books/${fx[9]!.slug}`);
    expect(byId.body).toMatchObject({ upc: fx[9]!.upc, priceExclTax: '16.66', tax: '3.33', priceInclTax: '19.99', price: '19.99', currency: 'GBP' });
    const byUpc = await app.call('GET', `/books/${fx[9]!.upc}`);
    expect(byUpc.body).toEqual(byId.body);
    const missing = await app.call('GET', '/books/nope_1');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const bad = await app.call('GET', '/books?minPrice=9&maxPrice=1');
    expect(bad.status).toBe(400);
    expect((await app.call('GET', '/books?sort=upc')).status).toBe(400);
  });

  test('price history of a book', async () => {
    const res = await app.call('GET', `/books/${fx[0]!.slug}/price-history`);
    expect(res.body.upc).toBe(fx[0]!.upc);
    expect(res.body.items).toEqual([expect.objectContaining({ priceInclTax: '19.99', priceExclTax: '19.99', tax: '0.00' })]);
  });
});
