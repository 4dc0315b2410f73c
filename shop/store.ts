// Cassandra adapter of the shop domain: books (upsert by UPC + price history), products
// (LWT optimistic concurrency), users, sessions, carts, cart events, audit, recommendations
// and job runs. Tables: shop/migrations.ts, applied by openShopStore.
import { randomUUID } from 'node:crypto';
import { ValidationError, errorMessage } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { type CassandraClient, cassandraTypes, migrate } from '../storage/cassandra.js';
import { shopMigrations } from './migrations.js';
import type { AuditEntry, BookRecord, CartLine, ProductRecord, Recommendation, Role, StoredBook, UserRecord } from './model.js';

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(String(v)));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(0));
const Q = { prepare: true } as const;

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

/** Opaque page cursor ⇄ Cassandra paging state. */
export const encodeCursor = (pageState: string | undefined | null): string | null => (pageState ? Buffer.from(pageState, 'hex').toString('base64url') : null);
export const decodeCursor = (cursor: string | undefined): string | undefined => (cursor ? Buffer.from(cursor, 'base64url').toString('hex') : undefined);

function bookFromRow(r: Row): StoredBook {
  return {
    id: str(r.id),
    upc: str(r.upc),
    title: str(r.title),
    category: str(r.category),
    productType: str(r.product_type),
    priceExclTaxCents: num(r.price_excl_cents),
    priceInclTaxCents: num(r.price_incl_cents),
    taxCents: num(r.tax_cents),
    currency: str(r.currency),
    availability: num(r.availability),
    numReviews: num(r.num_reviews),
    rating: num(r.rating),
    description: str(r.description),
    imageUrl: str(r.image_url),
    url: str(r.url),
    firstSeenAt: date(r.first_seen_at),
    updatedAt: date(r.updated_at),
    scrapedAt: date(r.scraped_at),
  };
}

function productFromRow(r: Row): ProductRecord {
  return {
    id: str(r.id),
    name: str(r.name),
    description: str(r.description),
    priceCents: num(r.price_cents),
    category: str(r.category),
    supplierEmail: str(r.supplier_email),
    stock: num(r.stock),
    version: num(r.version),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

function userFromRow(r: Row): UserRecord {
  return {
    id: str(r.id),
    email: str(r.email),
    name: str(r.name),
    role: str(r.role) as Role,
    passwordHash: r.password_hash === null || r.password_hash === undefined ? null : str(r.password_hash),
    createdAt: date(r.created_at),
  };
}

const BOOK_FIELDS: (keyof BookRecord)[] = [
  'id', 'title', 'category', 'productType', 'priceExclTaxCents', 'priceInclTaxCents', 'taxCents', 'currency',
  'availability', 'numReviews', 'rating', 'description', 'imageUrl', 'url',
];

export type ProductFields = Omit<ProductRecord, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

export type ShopStore = ReturnType<typeof createShopStore>;

export function createShopStore(client: CassandraClient) {
  const exec = (cql: string, params: unknown[] = [], opts: Record<string, unknown> = {}) => client.execute(cql, params, { ...Q, ...opts });
  /** Every row of a query, page by page. */
  async function allRows(cql: string, params: unknown[] = [], fetchSize = 500): Promise<Row[]> {
    const out: Row[] = [];
    let pageState: string | undefined;
    do {
      const rs = await exec(cql, params, { fetchSize, ...(pageState ? { pageState } : {}) });
      out.push(...(rs.rows as Row[]));
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    return out;
  }

  // ---- books ----
  async function getBookByUpc(upc: string): Promise<StoredBook | null> {
    const row = (await exec('SELECT * FROM shop_books WHERE upc = ?', [upc])).first();
    return row ? bookFromRow(row) : null;
  }

  async function getBookById(id: string): Promise<StoredBook | null> {
    const ref = (await exec('SELECT upc FROM shop_book_ids WHERE id = ?', [id])).first();
    return ref ? getBookByUpc(str(ref.upc)) : null;
  }

  /** Every book (the catalogue is small: thousands of rows), paged through the driver. */
  async function listBooks(): Promise<StoredBook[]> {
    return (await allRows('SELECT * FROM shop_books')).map(bookFromRow);
  }

  /** Whether the catalogue holds any book (one row read, not the whole table). */
  async function hasBooks(): Promise<boolean> {
    return (await exec('SELECT upc FROM shop_books LIMIT 1', [])).rows.length > 0;
  }

  /**
   * Insert or update by UPC; a price history row is written on first sight and whenever
   * any price field changes. Re-running with identical data writes nothing.
   */
  async function upsertBook(book: BookRecord, runId: string, now = new Date()): Promise<{ outcome: UpsertOutcome; priceChanged: boolean }> {
    const existing = await getBookByUpc(book.upc);
    const changed = existing === null || BOOK_FIELDS.some((f) => existing[f] !== book[f]);
    const priceChanged =
      existing === null ||
      existing.priceExclTaxCents !== book.priceExclTaxCents ||
      existing.priceInclTaxCents !== book.priceInclTaxCents ||
      existing.taxCents !== book.taxCents;
    if (!changed) {
      await exec('UPDATE shop_books SET scraped_at = ? WHERE upc = ?', [now, book.upc]);
      return { outcome: 'unchanged', priceChanged: false };
    }
    await exec(
      `INSERT INTO shop_books (upc, id, title, category, product_type, price_excl_cents, price_incl_cents, tax_cents, currency, availability,
        num_reviews, rating, description, image_url, url, first_seen_at, updated_at, scraped_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [
        book.upc, book.id, book.title, book.category, book.productType, book.priceExclTaxCents, book.priceInclTaxCents, book.taxCents,
        book.currency, book.availability, book.numReviews, book.rating, book.description, book.imageUrl, book.url,
        existing?.firstSeenAt ?? now, now, now,
      ],
    );
    if (existing === null || existing.id !== book.id) await exec('INSERT INTO shop_book_ids (id, upc) VALUES (?, ?)', [book.id, book.upc]);
    if (priceChanged)
      await exec('INSERT INTO shop_book_price_history (upc, observed_at, price_excl_cents, price_incl_cents, tax_cents, run_id) VALUES (?,?,?,?,?,?)', [
        book.upc, now, book.priceExclTaxCents, book.priceInclTaxCents, book.taxCents, runId,
      ]);
    return { outcome: existing === null ? 'inserted' : 'updated', priceChanged };
  }

  async function priceHistory(upc: string) {
    const rs = await exec('SELECT * FROM shop_book_price_history WHERE upc = ?', [upc]);
    return rs.rows.map((r) => ({
      observedAt: date(r.observed_at),
      priceExclTaxCents: num(r.price_excl_cents),
      priceInclTaxCents: num(r.price_incl_cents),
      taxCents: num(r.tax_cents),
      runId: str(r.run_id),
    }));
  }

  // ---- products ----
  async function createProduct(fields: ProductFields, now = new Date()): Promise<ProductRecord> {
    const id = randomUUID();
    const rs = await exec(
      `INSERT INTO shop_products (id, name, description, price_cents, category, supplier_email, stock, version, created_at, updated_at)
       VALUES (?,?,?,?,?,?,?,?,?,?) IF NOT EXISTS`,
      [id, fields.name, fields.description, fields.priceCents, fields.category, fields.supplierEmail, fields.stock, 1, now, now],
    );
    if (!rs.wasApplied()) throw new Error(`product id collision ${id}`);
    await exec('INSERT INTO shop_products_by_category (category, id) VALUES (?, ?)', [fields.category, id]);
    return { id, ...fields, version: 1, createdAt: now, updatedAt: now };
  }

  async function getProduct(id: string): Promise<ProductRecord | null> {
    const row = (await exec('SELECT * FROM shop_products WHERE id = ?', [id])).first();
    return row ? productFromRow(row) : null;
  }

  /** LWT write guarded by version: "missing" when the row is gone, "conflict" with the current version otherwise. */
  async function updateProduct(
    id: string,
    expectedVersion: number,
    fields: ProductFields,
    previousCategory: string,
    now = new Date(),
  ): Promise<{ status: 'ok'; product: ProductRecord } | { status: 'missing' } | { status: 'conflict'; currentVersion: number }> {
    const rs = await exec(
      `UPDATE shop_products SET name = ?, description = ?, price_cents = ?, category = ?, supplier_email = ?, stock = ?, version = ?, updated_at = ?
       WHERE id = ? IF version = ?`,
      [fields.name, fields.description, fields.priceCents, fields.category, fields.supplierEmail, fields.stock, expectedVersion + 1, now, id, expectedVersion],
    );
    if (!rs.wasApplied()) {
      const cur = rs.first();
      return cur?.version === null || cur?.version === undefined ? { status: 'missing' } : { status: 'conflict', currentVersion: num(cur.version) };
    }
    if (previousCategory !== fields.category) {
      await exec('DELETE FROM shop_products_by_category WHERE category = ? AND id = ?', [previousCategory, id]);
      await exec('INSERT INTO shop_products_by_category (category, id) VALUES (?, ?)', [fields.category, id]);
    }
    const product = await getProduct(id);
    return product ? { status: 'ok', product } : { status: 'missing' };
  }

  async function deleteProduct(id: string, expectedVersion: number, category: string) {
    const rs = await exec('DELETE FROM shop_products WHERE id = ? IF version = ?', [id, expectedVersion]);
    if (!rs.wasApplied()) {
      const cur = rs.first();
      return cur?.version === null || cur?.version === undefined ? ({ status: 'missing' } as const) : ({ status: 'conflict', currentVersion: num(cur.version) } as const);
    }
    await exec('DELETE FROM shop_products_by_category WHERE category = ? AND id = ?', [category, id]);
    return { status: 'ok' } as const;
  }

  /** One page of products (by id token order, or by category through the index table). */
  async function listProducts(opts: { category?: string; limit: number; cursor?: string }): Promise<{ items: ProductRecord[]; nextCursor: string | null }> {
    const pageState = decodeCursor(opts.cursor);
    const pageOpts = { fetchSize: opts.limit, ...(pageState ? { pageState } : {}) };
    try {
      return await listProductsPage(opts.category, pageOpts);
    } catch (e) {
      // A cursor we did not issue: the driver refuses it as a paging state.
      if (pageState !== undefined && /paging state/i.test(errorMessage(e))) throw new ValidationError('invalid cursor: pass the nextCursor of a previous page');
      throw e;
    }
  }

  async function listProductsPage(category: string | undefined, pageOpts: { fetchSize: number; pageState?: string }): Promise<{ items: ProductRecord[]; nextCursor: string | null }> {
    const opts = { category };
    if (opts.category === undefined) {
      const rs = await exec('SELECT * FROM shop_products', [], pageOpts);
      return { items: rs.rows.map(productFromRow), nextCursor: encodeCursor(rs.pageState) };
    }
    const rs = await exec('SELECT id FROM shop_products_by_category WHERE category = ?', [opts.category], pageOpts);
    const products = await Promise.all(rs.rows.map((r) => getProduct(str(r.id))));
    // The index row is written after the product's LWT; skip rows whose product moved or vanished.
    const items = products.filter((p): p is ProductRecord => p !== null && p.category === opts.category);
    return { items, nextCursor: encodeCursor(rs.pageState) };
  }

  // ---- users & sessions ----
  /** null when the e-mail is already registered (unique via LWT). */
  async function createUser(u: { email: string; name: string; role: Role; passwordHash: string | null }, now = new Date()): Promise<UserRecord | null> {
    const id = randomUUID();
    const email = u.email.toLowerCase();
    const claim = await exec('INSERT INTO shop_users_by_email (email, user_id) VALUES (?, ?) IF NOT EXISTS', [email, id]);
    if (!claim.wasApplied()) return null;
    await exec('INSERT INTO shop_users (id, email, name, role, password_hash, created_at) VALUES (?,?,?,?,?,?)', [id, email, u.name, u.role, u.passwordHash, now]);
    return { id, email, name: u.name, role: u.role, passwordHash: u.passwordHash, createdAt: now };
  }

  async function getUser(id: string): Promise<UserRecord | null> {
    const row = (await exec('SELECT * FROM shop_users WHERE id = ?', [id])).first();
    return row ? userFromRow(row) : null;
  }

  async function getUserByEmail(email: string): Promise<UserRecord | null> {
    const ref = (await exec('SELECT user_id FROM shop_users_by_email WHERE email = ?', [email.toLowerCase()])).first();
    return ref ? getUser(str(ref.user_id)) : null;
  }

  async function createSession(tokenHash: string, userId: string, ttlSeconds: number, now = new Date()) {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await exec('INSERT INTO shop_sessions (token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?) USING TTL ?', [tokenHash, userId, now, expiresAt, ttlSeconds]);
    return { expiresAt };
  }

  async function getSession(tokenHash: string): Promise<{ userId: string; expiresAt: Date } | null> {
    const row = (await exec('SELECT user_id, expires_at FROM shop_sessions WHERE token_hash = ?', [tokenHash])).first();
    return row ? { userId: str(row.user_id), expiresAt: date(row.expires_at) } : null;
  }

  const deleteSession = (tokenHash: string) => exec('DELETE FROM shop_sessions WHERE token_hash = ?', [tokenHash]).then(() => undefined);

  // ---- carts ----
  async function getCart(userId: string): Promise<CartLine[]> {
    const rs = await exec('SELECT book_id, quantity, added_at FROM shop_cart_items WHERE user_id = ?', [userId]);
    return rs.rows.map((r) => ({ bookId: str(r.book_id), quantity: num(r.quantity), addedAt: date(r.added_at) }));
  }

  async function setCartItem(userId: string, bookId: string, quantity: number, addedAt: Date, now = new Date()) {
    await exec('INSERT INTO shop_cart_items (user_id, book_id, quantity, added_at, updated_at) VALUES (?,?,?,?,?)', [userId, bookId, quantity, addedAt, now]);
  }

  const removeCartItem = (userId: string, bookId: string) => exec('DELETE FROM shop_cart_items WHERE user_id = ? AND book_id = ?', [userId, bookId]).then(() => undefined);
  const clearCart = (userId: string) => exec('DELETE FROM shop_cart_items WHERE user_id = ?', [userId]).then(() => undefined);

  async function recordCartEvent(userId: string, type: 'add' | 'set' | 'remove' | 'clear', bookId: string, quantity: number) {
    await exec('INSERT INTO shop_cart_events (user_id, event_id, type, book_id, quantity) VALUES (?, now(), ?, ?, ?)', [userId, type, bookId, quantity]);
  }

  /** Every cart event (full scan; the recommendation job reads them all). */
  async function listCartEvents(): Promise<{ userId: string; at: Date; type: string; bookId: string; quantity: number }[]> {
    const rows = await allRows('SELECT user_id, event_id, type, book_id, quantity FROM shop_cart_events', [], 1000);
    return rows.map((row) => ({
      userId: str(row.user_id),
      at: (row.event_id as InstanceType<typeof cassandraTypes.TimeUuid>).getDate(),
      type: str(row.type),
      bookId: str(row.book_id),
      quantity: num(row.quantity),
    }));
  }

  async function cartHistoryBooks(userId: string): Promise<string[]> {
    const rs = await exec('SELECT type, book_id, quantity FROM shop_cart_events WHERE user_id = ?', [userId]);
    return [...new Set(rs.rows.filter((r) => (r.type === 'add' || r.type === 'set') && num(r.quantity) > 0).map((r) => str(r.book_id)))];
  }

  // ---- audit ----
  async function recordAudit(e: Omit<AuditEntry, 'at'> & { at?: Date }) {
    const at = e.at ?? new Date();
    await exec(
      'INSERT INTO shop_audit (day, event_id, at, actor_id, actor_role, action, entity, entity_id, details) VALUES (?,?,?,?,?,?,?,?,?)',
      [at.toISOString().slice(0, 10), cassandraTypes.TimeUuid.fromDate(at), at, e.actorId, e.actorRole, e.action, e.entity, e.entityId, JSON.stringify(e.details)],
    );
  }

  async function listAudit(opts: { day: string; limit: number; cursor?: string }): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const pageState = decodeCursor(opts.cursor);
    const rs = await exec('SELECT * FROM shop_audit WHERE day = ?', [opts.day], { fetchSize: opts.limit, ...(pageState ? { pageState } : {}) });
    return {
      items: rs.rows.map((r) => ({
        at: date(r.at),
        actorId: str(r.actor_id),
        actorRole: str(r.actor_role),
        action: str(r.action),
        entity: str(r.entity),
        entityId: str(r.entity_id),
        details: JSON.parse(str(r.details) || '{}') as Record<string, unknown>,
      })),
      nextCursor: encodeCursor(rs.pageState),
    };
  }

  // ---- recommendations ----
  async function writeRecs(version: string, recs: Recommendation[]) {
    const insert = 'INSERT INTO shop_recs (version, book_id, rank, rec_book_id, score, content_score, co_count) VALUES (?,?,?,?,?,?,?)';
    for (let i = 0; i < recs.length; i += 50) {
      await Promise.all(recs.slice(i, i + 50).map((r) => exec(insert, [version, r.bookId, r.rank, r.recBookId, r.score, r.contentScore, r.coCount])));
    }
  }

  const setCurrentRecs = (version: string, meta: { books: number; pairs: number }, now = new Date()) =>
    exec('INSERT INTO shop_recs_current (name, version, created_at, books, pairs) VALUES (?,?,?,?,?)', ['books', version, now, meta.books, meta.pairs]).then(() => undefined);

  async function currentRecsVersion(): Promise<{ version: string; createdAt: Date } | null> {
    const row = (await exec('SELECT version, created_at FROM shop_recs_current WHERE name = ?', ['books'])).first();
    return row ? { version: str(row.version), createdAt: date(row.created_at) } : null;
  }

  async function getRecs(version: string, bookId: string): Promise<Recommendation[]> {
    const rs = await exec('SELECT * FROM shop_recs WHERE version = ? AND book_id = ?', [version, bookId]);
    return rs.rows.map((r) => ({
      bookId: str(r.book_id),
      recBookId: str(r.rec_book_id),
      rank: num(r.rank),
      score: num(r.score),
      contentScore: num(r.content_score),
      coCount: num(r.co_count),
    }));
  }

  /** Drop a version's rows (one partition per book). */
  async function deleteRecs(version: string, bookIds: string[]) {
    for (let i = 0; i < bookIds.length; i += 50)
      await Promise.all(bookIds.slice(i, i + 50).map((id) => exec('DELETE FROM shop_recs WHERE version = ? AND book_id = ?', [version, id])));
  }

  // ---- job runs (the shop's own run history) ----
  async function recordJobRun(run: { kind: string; runId: string; trigger: string; status: string; startedAt: Date; finishedAt: Date | null; rows: number; details: Record<string, unknown> }) {
    await exec('INSERT INTO shop_job_runs (kind, started_at, run_id, trigger, status, finished_at, rows, details) VALUES (?,?,?,?,?,?,?,?)', [
      run.kind, run.startedAt, run.runId, run.trigger, run.status, run.finishedAt, run.rows, JSON.stringify(run.details),
    ]);
  }

  async function listJobRuns(kind: string, limit = 20) {
    const rs = await exec('SELECT * FROM shop_job_runs WHERE kind = ? LIMIT ?', [kind, limit]);
    return rs.rows.map((r) => ({
      kind: str(r.kind),
      runId: str(r.run_id),
      trigger: str(r.trigger),
      status: str(r.status),
      startedAt: date(r.started_at),
      finishedAt: r.finished_at instanceof Date ? r.finished_at : null,
      rows: num(r.rows),
      details: JSON.parse(str(r.details) || '{}') as Record<string, unknown>,
    }));
  }

  return {
    getBookByUpc, getBookById, listBooks, hasBooks, upsertBook, priceHistory,
    createProduct, getProduct, updateProduct, deleteProduct, listProducts,
    createUser, getUser, getUserByEmail, createSession, getSession, deleteSession,
    getCart, setCartItem, removeCartItem, clearCart, recordCartEvent, listCartEvents, cartHistoryBooks,
    recordAudit, listAudit,
    writeRecs, setCurrentRecs, currentRecsVersion, getRecs, deleteRecs,
    recordJobRun, listJobRuns,
  };
}

/** The shop store on a connected client, after applying the shop's own migrations (idempotent). */
export async function openShopStore(cassandra: CassandraClient, config: Config, logger: Logger): Promise<ShopStore> {
  await migrate(cassandra, config, logger.child({ component: 'shop-migrations' }), shopMigrations);
  return createShopStore(cassandra);
}

export const SERVICE_ACCOUNT_EMAIL = 'service-jobs@chainlake.local';

/** The service account scheduled jobs act as (audit actor); created once, cannot log in. */
export async function ensureServiceAccount(store: ShopStore): Promise<UserRecord> {
  const existing = await store.getUserByEmail(SERVICE_ACCOUNT_EMAIL);
  if (existing) return existing;
  const created = await store.createUser({ email: SERVICE_ACCOUNT_EMAIL, name: 'Scheduled jobs', role: 'service', passwordHash: null });
  // Lost a creation race: the winner's row is the account.
  return created ?? (await store.getUserByEmail(SERVICE_ACCOUNT_EMAIL))!;
}
