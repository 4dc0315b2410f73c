import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ShopTestApp, loginAs, startShopApp } from './app.js';
import { type ShopTestEnv, shopTestEnv } from './env.js';

let env: ShopTestEnv;
let app: ShopTestApp;
let admin: { token: string; userId: string };
let user: { token: string; userId: string };

beforeAll(async () => {
  env = await shopTestEnv();
  app = await startShopApp(env);
  admin = await loginAs(env, app, 'admin@shop.test', 'admin');
  user = await loginAs(env, app, 'user@shop.test');
});
afterAll(async () => {
  await app?.close();
  await env?.close();
});

const valid = { name: 'Desk lamp', description: 'Warm light', price: '19.99', category: 'lighting', supplierEmail: 'Lamps@Supplier.test', stock: 12 };

describe('products CRUD', () => {
  test('create returns 201 with Location, ETag and exact decimal price; GET reads it back', async () => {
    const created = await app.call('POST', '/products', { token: admin.token, body: valid });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/api/v1/products/${created.body.id}`);
    expect(created.body).toMatchObject({ name: 'Desk lamp', price: '19.99', category: 'lighting', supplierEmail: 'lamps@supplier.test', stock: 12, version: 1 });
    const got = await app.call('GET', `/products/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.get('etag')).toBe('"1"');
    expect((await app.call('GET', `/products/${created.body.id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    const rows = await env.cassandra.execute('SELECT price_cents FROM shop_products WHERE id = ?', [created.body.id], { prepare: true });
    expect(String(rows.first()?.price_cents)).toBe('1999');
  });

  test('rejects invalid bodies with 400 and per-field details', async () => {
    const bad = await app.call('POST', '/products', { token: admin.token, body: { ...valid, price: '19.999', supplierEmail: 'nope', stock: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.price', 'body.stock', 'body.supplierEmail']);
    for (const price of ['1e3', '-1.00', '0.1.2', 19.99]) {
      expect((await app.call('POST', '/products', { token: admin.token, body: { ...valid, price } })).status).toBe(400);
    }
    expect((await app.call('POST', '/products', { token: admin.token, body: { ...valid, extra: 1 } })).status).toBe(400);
    expect((await app.call('GET', '/products/not-a-uuid')).status).toBe(400);
  });

  test('writes need an admin session: 401 without token, 403 for a plain user', async () => {
    expect((await app.call('POST', '/products', { body: valid })).status).toBe(401);
    const forbidden = await app.call('POST', '/products', { token: user.token, body: valid });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
  });

  test('unknown product is 404', async () => {
    const res = await app.call('GET', '/products/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  test('PUT/PATCH/DELETE need If-Match (428) and fail with 412 on a stale version', async () => {
    const { body: p } = await app.call('POST', '/products', { token: admin.token, body: { ...valid, name: 'Chair' } });
    const path = `/products/${p.id}`;
    const noMatch = await app.call('PATCH', path, { token: admin.token, body: { stock: 3 } });
    expect(noMatch.status).toBe(428);
    expect(noMatch.body.error.code).toBe('precondition_required');
    expect((await app.call('DELETE', path, { token: admin.token })).status).toBe(428);

    const patched = await app.call('PATCH', path, { token: admin.token, body: { stock: 3, price: '0.30' }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ stock: 3, price: '0.30', name: 'Chair', description: 'Warm light', version: 2 });
    expect(patched.headers.get('etag')).toBe('"2"');

    const stale = await app.call('PUT', path, { token: admin.token, body: { ...valid, name: 'Stale' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'precondition_failed', details: { currentVersion: 2 } });
    expect((await app.call('GET', path)).body.name).toBe('Chair');

    const put = await app.call('PUT', path, { token: admin.token, body: { ...valid, name: 'Armchair', category: 'seating' }, headers: { 'if-match': 'W/"2"' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Armchair', category: 'seating', version: 3 });

    expect((await app.call('DELETE', path, { token: admin.token, headers: { 'if-match': '"2"' } })).status).toBe(412);
    expect((await app.call('DELETE', path, { token: admin.token, headers: { 'if-match': '"3"' } })).status).toBe(204);
    expect((await app.call('GET', path)).status).toBe(404);
  });

  test('concurrent writers with the same version: exactly one wins (LWT), the rest get 412', async () => {
    const { body: p } = await app.call('POST', '/products', { token: admin.token, body: { ...valid, name: 'Race' } });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => app.call('PATCH', `/products/${p.id}`, { token: admin.token, body: { stock: n }, headers: { 'if-match': '"1"' } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await app.call('GET', `/products/${p.id}`);
    expect(now.body).toMatchObject({ version: 2, stock: winner.body.stock });
  });

  test('lists with category filter and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) await app.call('POST', '/products', { token: admin.token, body: { ...valid, name: `Book light ${i}`, category: 'reading' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string; category: string }[]; nextCursor: string | null } } = await app.call('GET', `/products?category=reading&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      for (const item of res.body.items) expect(item.category).toBe('reading');
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(pages).toBeGreaterThanOrEqual(3);
    const all = await app.call('GET', '/products?limit=100');
    expect(all.body.items.length).toBeGreaterThanOrEqual(7);
    expect((await app.call('GET', '/products?limit=0')).status).toBe(400);
  });

  test('every product write is in the audit log, readable by admins only', async () => {
    const { body: p } = await app.call('POST', '/products', { token: admin.token, body: { ...valid, name: 'Audited' } });
    expect((await app.call('GET', '/audit')).status).toBe(401);
    expect((await app.call('GET', '/audit', { token: user.token })).status).toBe(403);
    const log = await app.call('GET', '/audit?limit=500', { token: admin.token });
    expect(log.status).toBe(200);
    const entry = log.body.items.find((e: { action: string; entityId: string }) => e.action === 'product.create' && e.entityId === p.id);
    expect(entry).toMatchObject({ actorId: admin.userId, actorRole: 'admin', entity: 'product', details: { name: 'Audited', price: '19.99' } });
    expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
  });
});
