// What every shop router receives: the store, config, logger and the audit sink.
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { Config } from '../../../core/config.js';
import { ValidationError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { LakePaths } from '../../../storage/lake/paths.js';
import type { ShopStore } from '../../../storage/shop.js';
import type { AuditEntry, Role, StoredBook } from '../../../storage/shop-model.js';

export type AuditSink = { record: (entry: Omit<AuditEntry, 'at'>) => Promise<void> };

export type SessionUser = { id: string; email: string; name: string; role: Role };

export type ShopContext = {
  store: ShopStore;
  config: Config;
  logger: Logger;
  lakePaths?: LakePaths;
  audit: AuditSink;
  /** The scraped catalogue, cached in memory for CACHE_TTL_MS (min 1 s). */
  books: () => Promise<StoredBook[]>;
};

export type RouteDoc = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  auth?: 'session' | 'admin' | 'none';
  request?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
};

/** Parse with a zod schema or throw ValidationError (→ 400) listing each issue. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ValidationError(
    `invalid ${where}`,
    r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
  );
}

/** The session user set by the auth middleware (only on routes behind requireUser). */
export const sessionUser = (res: Response): SessionUser => res.locals.shopUser as SessionUser;

export type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void> | void;

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
