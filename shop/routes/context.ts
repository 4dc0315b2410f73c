// What every shop router receives: the store, config, logger and the audit sink.
import type { Response } from 'express';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { AuditEntry, Role, StoredBook } from '../model.js';
import type { ShopStore } from '../store.js';

export type AuditSink = { record: (entry: Omit<AuditEntry, 'at'>) => Promise<void> };

export type SessionUser = { id: string; email: string; name: string; role: Role };

export type ShopContext = {
  store: ShopStore;
  config: Config;
  logger: Logger;
  audit: AuditSink;
  /** The scraped catalogue, cached in memory for CACHE_TTL_MS (min 1 s). */
  books: () => Promise<StoredBook[]>;
};

/** The session user set by the auth middleware (only on routes behind requireUser). */
export const sessionUser = (res: Response): SessionUser => res.locals.shopUser as SessionUser;

export function cachedBooks(store: ShopStore, ttlMs: number): () => Promise<StoredBook[]> {
  let cache: { at: number; value: Promise<StoredBook[]> } | null = null;
  return () => {
    const now = Date.now();
    if (!cache || now - cache.at > ttlMs) {
      const value = store.listBooks();
      cache = { at: now, value };
      value.catch(() => {
        cache = null;
      });
    }
    return cache.value;
  };
}
