import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBooksScraper } from '../../shop/jobs/books-scrape.js';
import { fixtureBooks } from '../../shop/fixture-site/generate.js';
import { startFixtureSite } from '../../shop/fixture-site/server.js';
import { type ShopTestApp, loginAs, startShopApp } from './app.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

let env: ShopTestEnv;
let app: ShopTestApp;
let alice: { token: string; userId: string };
let bob: { token: string; userId: string };
let admin: { token: string; userId: string };

const fx = fixtureBooks();
const id = (i: number) => fx[i]!.slug;
const B1999 = id(0); // £19.99, 16 copies
const B010 = id(1); // £0.10
const B020 = id(2); // £0.20
const OUT = id(5); // out of stock
const TAXED = id(9); // £16.66 + £3.33 tax = £19.99

beforeAll(async () => {
  env = await shopTestEnv();
  const site = await startFixtureSite();
  await createBooksScraper({ store: env.store, logger: env.logger }).run({ baseUrl: site.url, maxPages: 10, retryBaseMs: 20 });
  await site.close();
  app = await startShopApp(env);
  alice = await loginAs(env, app, 'alice@shop.test');
  bob = await loginAs(env, app, 'bob@shop.test');
  admin = await loginAs(env, app, 'root@shop.test', 'admin');
});
afterAll(async () => {
  await app?.close();
  await env?.close();
});

describe('users and sessions', () => {
  test('register, duplicate e-mail, wrong password, login, me, logout', async () => {
    const reg = await app.call('POST', '/users/register', { body: { email: 'Carol@Shop.test', password: 'correct horse', name: 'Carol' } });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email: 'carol@shop.test', name: 'Carol', role: 'user' });
    expect(reg.body.passwordHash).toBeUndefined();
    expect((await app.call('POST', '/users/register', { body: { email: 'carol@shop.test', password: 'another one' } })).status).toBe(409);
    expect((await app.call('POST', '/users/register', { body: { email: 'x@shop.test', password: 'short' } })).status).toBe(400);
    const wrong = await app.call('POST', '/users/login', { body: { email: 'carol@shop.test', password: 'wrong horse' } });
    expect(wrong.status).toBe(401);
    expect((await app.call('POST', '/users/login', { body: { email: 'nobody@shop.test', password: 'whatever1' } })).status).toBe(401);

    const login = await app.call('POST', '/users/login', { body: { email: 'carol@shop.test', password: 'correct horse' } });
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^shop_[A-Za-z0-9_-]{43}$/);
    const ttl = (Date.parse(login.body.expiresAt) - Date.now()) / 1000;
    expect(Math.abs(ttl - env.config.SESSION_TTL_SECONDS)).toBeLessThan(60);
    // The token is stored hashed, never in clear.
    const stored = await env.cassandra.execute('SELECT token_hash FROM shop_sessions');
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(login.body.token);

    // Both header forms work.
    const me = await app.call('GET', '/users/me', { headers: { authorization: `Bearer ${login.body.token}` } });
    expect(me.body).toMatchObject({ id: reg.body.id, email: 'carol@shop.test' });
    expect((await app.call('GET', '/users/me', { token: login.body.token })).status).toBe(200);

    expect((await app.call('POST', '/users/logout', { token: login.body.token })).status).toBe(204);
    expect((await app.call('GET', '/users/me', { token: login.body.token })).status).toBe(401);
  });

  test('a session stops working when its TTL runs out', async () => {
    const { hashToken, newSessionToken } = await import('../../shop/auth.js');
    const token = newSessionToken();
    await env.store.createSession(hashToken(token), alice.userId, 1);
    expect((await app.call('GET', '/users/me', { token })).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await app.call('GET', '/users/me', { token })).status;
    }
    expect(status).toBe(401);
  });

  test('registration and login are in the audit log', async () => {
    const audit = await app.call('GET', '/audit?limit=500', { token: admin.token });
    const actions = audit.body.items.map((e: { action: string; actorId: string }) => `${e.action}:${e.actorId}`);
    expect(actions).toContain(`user.login:${alice.userId}`);
    const carol = audit.body.items.find((e: { action: string; details: { email?: string } }) => e.action === 'user.register' && e.details.email === 'carol@shop.test');
    expect(carol).toMatchObject({ entity: 'user', actorRole: 'user' });
  });

  test('cart routes need a session: none, a bogus one, or an API-key style Bearer → 401', async () => {
    expect((await app.call('GET', '/carts/me')).status).toBe(401);
    expect((await app.call('GET', '/carts/me', { token: 'shop_notavalidtoken' })).status).toBe(401);
    const apiKey = await app.call('GET', '/carts/me', { headers: { authorization: 'Bearer ck_live_123' } });
    expect(apiKey.status).toBe(401);
    expect(apiKey.body.error.code).toBe('unauthorized');
  });

  test("another user's cart is forbidden (403); an admin may read it", async () => {
    await app.call('POST', '/carts/me/items', { token: bob.token, body: { bookId: B010 } });
    const peek = await app.call('GET', `/carts/${bob.userId}`, { token: alice.token });
    expect(peek.status).toBe(403);
    expect((await app.call('POST', `/carts/${bob.userId}/items`, { token: alice.token, body: { bookId: B010 } })).status).toBe(403);
    expect((await app.call('DELETE', `/carts/${bob.userId}`, { token: alice.token })).status).toBe(403);
    const asAdmin = await app.call('GET', `/carts/${bob.userId}`, { token: admin.token });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.items.map((i: { bookId: string }) => i.bookId)).toEqual([B010]);
  });
});

describe('cart maths and stock', () => {
  test('0.10 + 0.20 is exactly 0.30', async () => {
    await app.call('DELETE', '/carts/me', { token: alice.token });
    await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B010 } });
    const cart = await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B020 } });
    expect(cart.status).toBe(200);
    expect(cart.body.total).toBe('0.30');
    expect(cart.body.itemCount).toBe(2);
  });

  test('3 × 19.99 plus a taxed 19.99 and the cheap books: exact totals per line and overall', async () => {
    await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B1999, quantity: 2 } });
    await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B1999 } }); // adds up to 3
    const cart = await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: fx[9]!.upc } }); // by UPC
    const line = (bookId: string) => cart.body.items.find((i: { bookId: string }) => i.bookId === bookId);
    expect(line(B1999)).toMatchObject({ quantity: 3, unitPrice: '19.99', lineTotal: '59.97' });
    expect(line(TAXED)).toMatchObject({ quantity: 1, unitPrice: '19.99', lineTotal: '19.99' });
    expect(cart.body.total).toBe('80.26'); // 0.10 + 0.20 + 59.97 + 19.99
    expect(cart.body.itemCount).toBe(6);
    expect(cart.body.items.map((i: { bookId: string }) => i.bookId)).toEqual([B010, B020, B1999, TAXED]);
  });

  test('set quantity, remove and clear', async () => {
    let cart = await app.call('PUT', `/carts/me/items/${B010}`, { token: alice.token, body: { quantity: 7 } });
    expect(cart.body.items.find((i: { bookId: string }) => i.bookId === B010)).toMatchObject({ quantity: 7, lineTotal: '0.70' });
    expect(cart.body.total).toBe('80.86');
    cart = await app.call('DELETE', `/carts/me/items/${B020}`, { token: alice.token });
    expect(cart.body.total).toBe('80.66');
    expect((await app.call('DELETE', `/carts/me/items/${B020}`, { token: alice.token })).status).toBe(404);
    cart = await app.call('PUT', `/carts/me/items/${B010}`, { token: alice.token, body: { quantity: 0 } });
    expect(cart.body.items.map((i: { bookId: string }) => i.bookId)).toEqual([B1999, TAXED]);
    expect((await app.call('PUT', `/carts/me/items/${B010}`, { token: alice.token, body: { quantity: -1 } })).status).toBe(400);
    cart = await app.call('DELETE', '/carts/me', { token: alice.token });
    expect(cart.body).toMatchObject({ items: [], total: '0.00', itemCount: 0 });
  });

  test('more copies than in stock → 409 with a clear message; the cart is unchanged', async () => {
    const stock = fx[0]!.availability;
    await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B1999, quantity: stock } });
    const over = await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: B1999 } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('insufficient_stock');
    expect(over.body.error.message).toBe(`only ${stock} copies of "${fx[0]!.title}" in stock; the cart would hold ${stock + 1}`);
    expect(over.body.error.details).toEqual({ bookId: B1999, available: stock, requested: stock + 1 });
    expect((await app.call('PUT', `/carts/me/items/${B1999}`, { token: alice.token, body: { quantity: stock + 5 } })).status).toBe(409);
    const out = await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: OUT } });
    expect(out.status).toBe(409);
    expect(out.body.error.message).toBe(`"${fx[5]!.title}" is out of stock`);
    const cart = await app.call('GET', '/carts/me', { token: alice.token });
    expect(cart.body.items).toEqual([expect.objectContaining({ bookId: B1999, quantity: stock })]);
    expect((await app.call('POST', '/carts/me/items', { token: alice.token, body: { bookId: 'no-such-book_1' } })).status).toBe(404);
  });

  test('cart changes are recorded as events and in the audit log', async () => {
    const events = (await env.store.listCartEvents()).filter((e) => e.userId === alice.userId);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['add', 'set', 'remove', 'clear']));
    expect(events.filter((e) => e.type === 'add' && e.bookId === B1999).map((e) => e.quantity)).toEqual([2, 1, fx[0]!.availability]);
    const audit = await app.call('GET', '/audit?limit=500&action=cart.add', { token: admin.token });
    const mine = audit.body.items.filter((e: { actorId: string }) => e.actorId === alice.userId);
    expect(mine.length).toBeGreaterThanOrEqual(5);
    expect(mine[0]).toMatchObject({ entity: 'cart', entityId: alice.userId, actorRole: 'user' });
  });
});
