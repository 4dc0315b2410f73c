import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBooksScraper } from '../../shop/jobs/books-scrape.js';
import { BROKEN_BOOK_PATH, fixtureBooks } from '../../shop/fixture-site/generate.js';
import { startFixtureSite } from '../../shop/fixture-site/server.js';
import { freePort } from '../helpers.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

let env: ShopTestEnv;
// One port for the whole file: book URLs (part of the stored record) stay the same between runs.
let port = 0;
beforeAll(async () => {
  env = await shopTestEnv();
  port = await freePort();
});
afterAll(async () => env?.close());

const FAST = { retries: 3, retryBaseMs: 20, concurrency: 4 };
const first = fixtureBooks()[0]!; // "The Autumn Verses", £19.99

describe('books scraper against the fixture site', () => {
  test('stores every book, counts the broken page, and survives a 500 by retrying', async () => {
    const site = await startFixtureSite({ port, failFirst: ['/catalogue/page-2.html', `/catalogue/${first.slug}/index.html`] });
    try {
      const scraper = createBooksScraper({ store: env.store, logger: env.logger });
      const r = await scraper.run({ baseUrl: site.url, maxPages: 50, ...FAST });
      expect(r.status).toBe('succeeded');
      expect(r.listingPages).toBe(3);
      expect(r.booksListed).toBe(49);
      expect(r.inserted).toBe(48);
      expect(r.malformed).toEqual([
        { url: `${site.url}${BROKEN_BOOK_PATH}`, missing: expect.arrayContaining(['title', 'UPC', 'Price (incl. tax)']) as unknown as string[] },
      ]);
      expect(r.failed).toEqual([]);
      expect(r.retries).toBe(2);
      // Both failing paths were requested twice (500, then 200).
      expect(site.requests.filter((p) => p === '/catalogue/page-2.html')).toHaveLength(2);
      expect(site.requests.filter((p) => p === `/catalogue/${first.slug}/index.html`)).toHaveLength(2);

      const books = await env.store.listBooks();
      expect(books).toHaveLength(48);
      const autumn = await env.store.getBookByUpc('1b7fa847bf36ef64');
      expect(autumn).toMatchObject({
        id: 'the-autumn-verses_1000',
        title: 'The Autumn Verses',
        category: 'Poetry',
        productType: 'Books',
        priceExclTaxCents: 1999,
        priceInclTaxCents: 1999,
        taxCents: 0,
        currency: 'GBP',
        availability: 16,
        numReviews: 1,
        rating: 3,
        description: 'The Autumn Verses is patience stanza book about verse and metaphor, readers a love who for and.',
        imageUrl: `${site.url}media/cache/cb/04/078d5b861ec01089d16f81a3bdb436b5.jpg`,
        url: `${site.url}catalogue/the-autumn-verses_1000/index.html`,
      });
      const waves = await env.store.getBookById('the-restless-waves_991');
      expect(waves).toMatchObject({
        upc: '84d23cd8b085d093',
        title: 'The Restless Waves',
        category: 'Science',
        priceExclTaxCents: 1666,
        priceInclTaxCents: 1999,
        taxCents: 333,
        availability: 11,
        numReviews: 0,
        rating: 5,
      });
      expect(await env.store.priceHistory('84d23cd8b085d093')).toHaveLength(1);

      const runs = await env.store.listJobRuns('books-scrape');
      expect(runs[0]).toMatchObject({ runId: r.runId, status: 'succeeded', rows: 48, trigger: 'manual' });
      expect(runs[0]?.details).toMatchObject({ malformed: 1, inserted: 48, booksListed: 49, error: '1 malformed page(s)' });
      const audit = await env.store.listAudit({ day: new Date().toISOString().slice(0, 10), limit: 50 });
      expect(audit.items.find((a) => a.action === 'books.scrape' && a.entityId === r.runId)).toMatchObject({ actorRole: 'service' });
    } finally {
      await site.close();
    }
  });

  test('re-scraping unchanged pages is idempotent', async () => {
    const site = await startFixtureSite({ port });
    try {
      const r = await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 50, ...FAST });
      expect([r.inserted, r.updated, r.unchanged, r.priceChanges, r.malformed.length]).toEqual([0, 0, 48, 0, 1]);
      expect(await env.store.listBooks()).toHaveLength(48);
      for (const upc of ['1b7fa847bf36ef64', '84d23cd8b085d093']) expect(await env.store.priceHistory(upc)).toHaveLength(1);
    } finally {
      await site.close();
    }
  });

  test('a price change updates the book and appends a price history row', async () => {
    const page = `/catalogue/${first.slug}/index.html`;
    const site = await startFixtureSite({ port, rewrite: (path, html) => (path === page ? html.replaceAll('£19.99', '£21.50') : html) });
    try {
      const r = await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 50, ...FAST });
      expect([r.inserted, r.updated, r.unchanged, r.priceChanges]).toEqual([0, 1, 47, 1]);
      expect((await env.store.getBookByUpc('1b7fa847bf36ef64'))?.priceInclTaxCents).toBe(2150);
      const history = await env.store.priceHistory('1b7fa847bf36ef64');
      expect(history.map((h) => [h.priceExclTaxCents, h.priceInclTaxCents])).toEqual([
        [2150, 2150],
        [1999, 1999],
      ]);
      expect(history[0]?.runId).toBe(r.runId);
    } finally {
      await site.close();
    }
  });

  test('stops at the page limit and reports a page that times out as failed', async () => {
    const hung = `/catalogue/${fixtureBooks()[3]!.slug}/index.html`;
    const site = await startFixtureSite({ port, hang: [hung] });
    try {
      const r = await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 1, ...FAST, retries: 1, timeoutMs: 300 });
      expect(r.listingPages).toBe(1);
      expect(r.booksListed).toBe(20);
      expect(r.status).toBe('partial');
      expect(r.failed.map((f) => f.url)).toEqual([`${site.url}${hung.slice(1)}`]);
      expect(site.requests.filter((p) => p === hung)).toHaveLength(2);
      expect(site.requests.some((p) => p.includes('page-2'))).toBe(false);
    } finally {
      await site.close();
    }
  });
});
