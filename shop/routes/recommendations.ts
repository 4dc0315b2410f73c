// Book recommendations from the current version written by the batch job
// (shop/jobs/recommend.ts): per book, and per user (blend of the recommendations of the
// books they carted; top-rated books when they have carted nothing yet).
import { Router } from 'express';
import { z } from 'zod';
import { bookJson, type StoredBook } from '../model.js';
import type { createAuth } from './auth.js';
import { Book, BookParams, findBook } from './books.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import { sessionUser, type ShopContext } from './context.js';

export const RecsQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) });
export const RecList = z.object({
  version: z.string().nullable(),
  basis: z.enum(['book', 'cart', 'top_rated']),
  items: z.array(z.object({ book: Book, score: z.number(), coCount: z.number().int() })),
});

export const recommendationRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/books/{idOrUpc}/recommendations', summary: 'Books similar to / carted with this one', params: BookParams, query: RecsQuery, response: RecList },
  { method: 'get', path: '/users/me/recommendations', summary: 'Recommendations for the session user', auth: 'session', query: RecsQuery, response: RecList },
];

export function recommendationsRouter(ctx: ShopContext, auth: ReturnType<typeof createAuth>): Router {
  const r = Router();

  const byId = async () => new Map((await ctx.books()).map((b) => [b.id, b]));

  r.get('/books/:idOrUpc/recommendations', async (req, res) => {
    const { idOrUpc } = parse(BookParams, req.params, 'params');
    const { limit } = parse(RecsQuery, req.query, 'query');
    const book = await findBook(ctx, idOrUpc);
    const current = await ctx.store.currentRecsVersion();
    if (!current) {
      res.json({ version: null, basis: 'book', items: [] });
      return;
    }
    const books = await byId();
    const recs = (await ctx.store.getRecs(current.version, book.id)).sort((a, b) => a.rank - b.rank);
    const items = recs
      .filter((x) => books.has(x.recBookId))
      .slice(0, limit)
      .map((x) => ({ book: bookJson(books.get(x.recBookId)!), score: x.score, coCount: x.coCount }));
    res.json({ version: current.version, basis: 'book', items });
  });

  r.get('/users/me/recommendations', auth.requireUser, async (req, res) => {
    const { limit } = parse(RecsQuery, req.query, 'query');
    const user = sessionUser(res);
    const [current, books, carted] = await Promise.all([ctx.store.currentRecsVersion(), byId(), ctx.store.cartHistoryBooks(user.id)]);
    const inCart = new Set((await ctx.store.getCart(user.id)).map((l) => l.bookId));
    if (current && carted.length > 0) {
      // Sum each candidate's scores over the carted books; skip what is already in the cart.
      const scores = new Map<string, { score: number; coCount: number }>();
      for (const recsOf of await Promise.all(carted.map((id) => ctx.store.getRecs(current.version, id))))
        for (const x of recsOf) {
          if (inCart.has(x.recBookId) || carted.includes(x.recBookId) || !books.has(x.recBookId)) continue;
          const s = scores.get(x.recBookId) ?? { score: 0, coCount: 0 };
          scores.set(x.recBookId, { score: s.score + x.score, coCount: s.coCount + x.coCount });
        }
      const items = [...scores.entries()]
        .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
        .slice(0, limit)
        .map(([id, s]) => ({ book: bookJson(books.get(id)!), score: Number(s.score.toFixed(6)), coCount: s.coCount }));
      res.json({ version: current.version, basis: 'cart', items });
      return;
    }
    // Cold start: best-rated books in stock, most reviewed first, then by title.
    const top = [...books.values()]
      .filter((b) => b.availability > 0 && !inCart.has(b.id))
      .sort((a: StoredBook, b: StoredBook) => b.rating - a.rating || b.numReviews - a.numReviews || a.title.localeCompare(b.title))
      .slice(0, limit)
      .map((b) => ({ book: bookJson(b), score: b.rating / 5, coCount: 0 }));
    res.json({ version: current?.version ?? null, basis: 'top_rated', items: top });
  });

  return r;
}
