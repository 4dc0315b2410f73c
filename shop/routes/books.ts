// /books: the scraped catalogue (read-only). The catalogue is small, so each request
// filters and sorts an in-memory copy refreshed from Cassandra every CACHE_TTL_MS.
import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { bookJson, formatCents, parseMoneyToCents, type StoredBook } from '../model.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import type { ShopContext } from './context.js';
import { MoneyString } from './products.js';

const boolString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const BookListQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    category: z.string().min(1).max(100).optional(),
    rating: z.coerce.number().int().min(1).max(5).optional(),
    minRating: z.coerce.number().int().min(1).max(5).optional(),
    minPrice: MoneyString.optional(),
    maxPrice: MoneyString.optional(),
    inStock: boolString.optional(),
    sort: z.enum(['title', '-title', 'price', '-price', 'rating', '-rating']).default('title'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || parseMoneyToCents(q.minPrice) <= parseMoneyToCents(q.maxPrice), {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  });

export const BookParams = z.object({ idOrUpc: z.string().min(1).max(300) });

export const Book = z.object({
  id: z.string(),
  upc: z.string(),
  title: z.string(),
  category: z.string(),
  productType: z.string(),
  price: z.string(),
  priceExclTax: z.string(),
  priceInclTax: z.string(),
  tax: z.string(),
  currency: z.string(),
  availability: z.number().int(),
  inStock: z.boolean(),
  numReviews: z.number().int(),
  rating: z.number().int(),
  description: z.string(),
  imageUrl: z.string(),
  url: z.string(),
});
export const BookList = z.object({ items: z.array(Book), total: z.number().int(), page: z.number().int(), limit: z.number().int() });
export const PriceHistory = z.object({
  upc: z.string(),
  items: z.array(z.object({ observedAt: z.string(), priceExclTax: z.string(), priceInclTax: z.string(), tax: z.string() })),
});

export const bookRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/books', summary: 'Search the books catalogue (title substring, filters, sort, pages)', query: BookListQuery, response: BookList },
  { method: 'get', path: '/books/{idOrUpc}', summary: 'One book by id (URL slug) or UPC', params: BookParams, response: Book },
  { method: 'get', path: '/books/{idOrUpc}/price-history', summary: 'Observed prices of a book, newest first', params: BookParams, response: PriceHistory },
];

export type BookQuery = z.infer<typeof BookListQuery>;

/** Pure: filter, sort (ties by title, then id) and page the catalogue. */
export function queryBooks(books: StoredBook[], q: BookQuery) {
  const needle = q.q?.toLowerCase();
  const min = q.minPrice !== undefined ? parseMoneyToCents(q.minPrice) : undefined;
  const max = q.maxPrice !== undefined ? parseMoneyToCents(q.maxPrice) : undefined;
  const category = q.category?.toLowerCase();
  const hits = books.filter(
    (b) =>
      (needle === undefined || b.title.toLowerCase().includes(needle)) &&
      (category === undefined || b.category.toLowerCase() === category) &&
      (q.rating === undefined || b.rating === q.rating) &&
      (q.minRating === undefined || b.rating >= q.minRating) &&
      (min === undefined || b.priceInclTaxCents >= min) &&
      (max === undefined || b.priceInclTaxCents <= max) &&
      (q.inStock === undefined || b.availability > 0 === q.inStock),
  );
  const dir = q.sort.startsWith('-') ? -1 : 1;
  const key = q.sort.replace('-', '');
  const byTitle = (a: StoredBook, b: StoredBook) => a.title.localeCompare(b.title, 'en') || a.id.localeCompare(b.id);
  hits.sort((a, b) => {
    const primary = key === 'price' ? a.priceInclTaxCents - b.priceInclTaxCents : key === 'rating' ? a.rating - b.rating : byTitle(a, b);
    return primary !== 0 ? dir * primary : byTitle(a, b);
  });
  const start = (q.page - 1) * q.limit;
  return { items: hits.slice(start, start + q.limit), total: hits.length, page: q.page, limit: q.limit };
}

export async function findBook(ctx: ShopContext, idOrUpc: string): Promise<StoredBook> {
  const books = await ctx.books();
  const hit = books.find((b) => b.id === idOrUpc) ?? books.find((b) => b.upc === idOrUpc);
  if (hit) return hit;
  // Not in the cached copy (e.g. scraped a moment ago): ask the store directly.
  const fresh = (await ctx.store.getBookById(idOrUpc)) ?? (await ctx.store.getBookByUpc(idOrUpc));
  if (!fresh) throw new NotFoundError(`book ${idOrUpc} not found`);
  return fresh;
}

export function booksRouter(ctx: ShopContext): Router {
  const r = Router();
  r.get('/books', async (req, res) => {
    const q = parse(BookListQuery, req.query, 'query');
    const page = queryBooks(await ctx.books(), q);
    res.json({ ...page, items: page.items.map(bookJson) });
  });
  r.get('/books/:idOrUpc', async (req, res) => {
    const { idOrUpc } = parse(BookParams, req.params, 'params');
    res.json(bookJson(await findBook(ctx, idOrUpc)));
  });
  r.get('/books/:idOrUpc/price-history', async (req, res) => {
    const { idOrUpc } = parse(BookParams, req.params, 'params');
    const book = await findBook(ctx, idOrUpc);
    const items = (await ctx.store.priceHistory(book.upc)).map((h) => ({
      observedAt: h.observedAt.toISOString(),
      priceExclTax: formatCents(h.priceExclTaxCents),
      priceInclTax: formatCents(h.priceInclTaxCents),
      tax: formatCents(h.taxCents),
    }));
    res.json({ upc: book.upc, items });
  });
  return r;
}
