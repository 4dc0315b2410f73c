// /carts/{userId|me}: one cart per user holding books. Totals are exact integer pence,
// rendered as decimal strings. Quantities are checked against the book's availability
// (409). Every change is recorded as a cart event (for "carted together" recommendations)
// and in the audit log. A user sees only their own cart (403), admins any cart.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { formatCents, lineTotalCents, type StoredBook } from '../model.js';
import type { createAuth } from './auth.js';
import { findBook } from './books.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import { sessionUser, type ShopContext } from './context.js';
import { HttpError } from '../../serving/http-errors.js';

export const CartParams = z.object({ userId: z.string().min(1).max(100) });
export const CartItemParams = CartParams.extend({ bookId: z.string().min(1).max(300) });
export const AddItemInput = z.object({ bookId: z.string().min(1).max(300), quantity: z.number().int().min(1).max(1000).default(1) }).strict();
export const SetQuantityInput = z.object({ quantity: z.number().int().min(0).max(1000) }).strict();

export const Cart = z.object({
  userId: z.string(),
  items: z.array(
    z.object({ bookId: z.string(), upc: z.string(), title: z.string(), unitPrice: z.string(), quantity: z.number().int(), lineTotal: z.string(), availability: z.number().int() }),
  ),
  itemCount: z.number().int(),
  total: z.string(),
  currency: z.string(),
});

export const cartRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/carts/{userId}', summary: 'A cart ("me" = the session user)', auth: 'session', params: CartParams, response: Cart },
  { method: 'post', path: '/carts/{userId}/items', summary: 'Add copies of a book (409 when stock is short)', auth: 'session', params: CartParams, request: AddItemInput, response: Cart },
  { method: 'put', path: '/carts/{userId}/items/{bookId}', summary: 'Set the quantity of a book (0 removes it)', auth: 'session', params: CartItemParams, request: SetQuantityInput, response: Cart },
  { method: 'delete', path: '/carts/{userId}/items/{bookId}', summary: 'Remove a book from the cart', auth: 'session', params: CartItemParams, response: Cart },
  { method: 'delete', path: '/carts/{userId}', summary: 'Empty the cart', auth: 'session', params: CartParams, response: Cart },
];

function ownerOf(res: Response, userId: string): string {
  const user = sessionUser(res);
  const target = userId === 'me' ? user.id : userId;
  if (target !== user.id && user.role !== 'admin') throw new HttpError(403, 'forbidden', 'this cart belongs to another user');
  return target;
}

function checkStock(book: StoredBook, quantity: number) {
  if (quantity > book.availability)
    throw new HttpError(
      409,
      'insufficient_stock',
      book.availability === 0
        ? `"${book.title}" is out of stock`
        : `only ${book.availability} ${book.availability === 1 ? 'copy' : 'copies'} of "${book.title}" in stock; the cart would hold ${quantity}`,
      { bookId: book.id, available: book.availability, requested: quantity },
    );
}

export function cartsRouter(ctx: ShopContext, auth: ReturnType<typeof createAuth>): Router {
  const r = Router();

  async function cartJson(userId: string) {
    const lines = await ctx.store.getCart(userId);
    const books = new Map((await ctx.books()).map((b) => [b.id, b]));
    const items = [];
    let total = 0;
    let itemCount = 0;
    for (const line of lines.sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || a.bookId.localeCompare(b.bookId))) {
      const book = books.get(line.bookId) ?? (await ctx.store.getBookById(line.bookId));
      if (!book) continue; // dropped from the catalogue since
      const lineTotal = lineTotalCents(book.priceInclTaxCents, line.quantity);
      total += lineTotal;
      itemCount += line.quantity;
      items.push({
        bookId: book.id,
        upc: book.upc,
        title: book.title,
        unitPrice: formatCents(book.priceInclTaxCents),
        quantity: line.quantity,
        lineTotal: formatCents(lineTotal),
        availability: book.availability,
      });
    }
    return { userId, items, itemCount, total: formatCents(total), currency: 'GBP' };
  }

  const audit = (res: Response, action: string, userId: string, details: Record<string, unknown>) => {
    const user = sessionUser(res);
    return ctx.audit.record({ actorId: user.id, actorRole: user.role, action, entity: 'cart', entityId: userId, details });
  };

  r.get('/carts/:userId', auth.requireUser, async (req, res) => {
    const userId = ownerOf(res, parse(CartParams, req.params, 'params').userId);
    res.json(await cartJson(userId));
  });

  r.post('/carts/:userId/items', auth.requireUser, async (req, res) => {
    const userId = ownerOf(res, parse(CartParams, req.params, 'params').userId);
    const input = parse(AddItemInput, req.body, 'body');
    const book = await findBook(ctx, input.bookId);
    const existing = (await ctx.store.getCart(userId)).find((l) => l.bookId === book.id);
    const quantity = (existing?.quantity ?? 0) + input.quantity;
    checkStock(book, quantity);
    await ctx.store.setCartItem(userId, book.id, quantity, existing?.addedAt ?? new Date());
    await ctx.store.recordCartEvent(userId, 'add', book.id, input.quantity);
    await audit(res, 'cart.add', userId, { bookId: book.id, added: input.quantity, quantity });
    res.json(await cartJson(userId));
  });

  r.put('/carts/:userId/items/:bookId', auth.requireUser, async (req, res) => {
    const params = parse(CartItemParams, req.params, 'params');
    const userId = ownerOf(res, params.userId);
    const { quantity } = parse(SetQuantityInput, req.body, 'body');
    const book = await findBook(ctx, params.bookId);
    const existing = (await ctx.store.getCart(userId)).find((l) => l.bookId === book.id);
    if (quantity === 0) {
      await ctx.store.removeCartItem(userId, book.id);
      await ctx.store.recordCartEvent(userId, 'remove', book.id, 0);
    } else {
      checkStock(book, quantity);
      await ctx.store.setCartItem(userId, book.id, quantity, existing?.addedAt ?? new Date());
      await ctx.store.recordCartEvent(userId, 'set', book.id, quantity);
    }
    await audit(res, 'cart.set', userId, { bookId: book.id, quantity });
    res.json(await cartJson(userId));
  });

  r.delete('/carts/:userId/items/:bookId', auth.requireUser, async (req, res) => {
    const params = parse(CartItemParams, req.params, 'params');
    const userId = ownerOf(res, params.userId);
    const existing = (await ctx.store.getCart(userId)).find((l) => l.bookId === params.bookId);
    if (!existing) throw new NotFoundError(`book ${params.bookId} is not in the cart`);
    await ctx.store.removeCartItem(userId, params.bookId);
    await ctx.store.recordCartEvent(userId, 'remove', params.bookId, 0);
    await audit(res, 'cart.remove', userId, { bookId: params.bookId });
    res.json(await cartJson(userId));
  });

  r.delete('/carts/:userId', auth.requireUser, async (req, res) => {
    const userId = ownerOf(res, parse(CartParams, req.params, 'params').userId);
    await ctx.store.clearCart(userId);
    await ctx.store.recordCartEvent(userId, 'clear', '', 0);
    await audit(res, 'cart.clear', userId, {});
    res.json(await cartJson(userId));
  });

  return r;
}
