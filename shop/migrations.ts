import type { Migration } from '../storage/migrations/index.js';

// Shop domain (versions 400-499). Money is integer minor units (bigint), never float.
export const shopMigrations: Migration[] = [
  {
    version: 400,
    name: 'shop: books, price history, products, users, sessions, carts, audit, recommendations, job runs',
    cql: () => [
      // Scraped catalogue, one row per UPC (the upsert key); id is the site's URL slug.
      `CREATE TABLE IF NOT EXISTS shop_books (upc text PRIMARY KEY, id text, title text, category text, product_type text,
        price_excl_cents bigint, price_incl_cents bigint, tax_cents bigint, currency text, availability int, num_reviews int,
        rating int, description text, image_url text, url text, first_seen_at timestamp, updated_at timestamp, scraped_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS shop_book_ids (id text PRIMARY KEY, upc text)`,
      // One row per observed price: the first sighting and every change.
      `CREATE TABLE IF NOT EXISTS shop_book_price_history (upc text, observed_at timestamp, price_excl_cents bigint, price_incl_cents bigint,
        tax_cents bigint, run_id text, PRIMARY KEY (upc, observed_at)) WITH CLUSTERING ORDER BY (observed_at DESC)`,
      // Products: every write is a lightweight transaction on version (optimistic concurrency).
      `CREATE TABLE IF NOT EXISTS shop_products (id text PRIMARY KEY, name text, description text, price_cents bigint, category text,
        supplier_email text, stock int, version int, created_at timestamp, updated_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS shop_products_by_category (category text, id text, PRIMARY KEY (category, id))`,
      `CREATE TABLE IF NOT EXISTS shop_users (id text PRIMARY KEY, email text, name text, role text, password_hash text, created_at timestamp)`,
      // Unique e-mail: INSERT ... IF NOT EXISTS.
      `CREATE TABLE IF NOT EXISTS shop_users_by_email (email text PRIMARY KEY, user_id text)`,
      // Session tokens are stored as SHA-256 hashes, expiring by TTL.
      `CREATE TABLE IF NOT EXISTS shop_sessions (token_hash text PRIMARY KEY, user_id text, created_at timestamp, expires_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS shop_cart_items (user_id text, book_id text, quantity int, added_at timestamp, updated_at timestamp,
        PRIMARY KEY (user_id, book_id))`,
      // Every cart change, for co-occurrence ("carted together") recommendations.
      `CREATE TABLE IF NOT EXISTS shop_cart_events (user_id text, event_id timeuuid, type text, book_id text, quantity int,
        PRIMARY KEY (user_id, event_id))`,
      // Audit of every write, bucketed by UTC day, newest first.
      `CREATE TABLE IF NOT EXISTS shop_audit (day text, event_id timeuuid, at timestamp, actor_id text, actor_role text, action text,
        entity text, entity_id text, details text, PRIMARY KEY (day, event_id)) WITH CLUSTERING ORDER BY (event_id DESC)`,
      // Recommendations: rows of a version become visible when shop_recs_current points at it.
      `CREATE TABLE IF NOT EXISTS shop_recs (version text, book_id text, rank int, rec_book_id text, score double, content_score double,
        co_count int, PRIMARY KEY ((version, book_id), rank))`,
      `CREATE TABLE IF NOT EXISTS shop_recs_current (name text PRIMARY KEY, version text, created_at timestamp, books int, pairs int)`,
      // Scrape/recommend run history: the shop's own, apart from the chain's batch_runs.
      `CREATE TABLE IF NOT EXISTS shop_job_runs (kind text, started_at timestamp, run_id text, trigger text, status text, finished_at timestamp,
        rows bigint, details text, PRIMARY KEY (kind, started_at, run_id)) WITH CLUSTERING ORDER BY (started_at DESC, run_id ASC)`,
    ],
  },
];
