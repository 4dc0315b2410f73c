// API-key authentication and per-caller rate limiting (express middleware).
// A key comes as `Authorization: Bearer cl_…` or `x-api-key: cl_…`. PUBLIC_READ lets read
// routes work without a key; admin routes always need an admin key (401 without, 403 for a
// read key). Keys are never logged: only the key id reaches logs and metrics.
import type { NextFunction, Request, Response } from 'express';
import type { ApiKeyRecord, ApiRole } from '../storage/api-keys.js';
import { sameKey } from '../storage/api-keys.js';
import { HttpError } from './http-errors.js';
import { createTokenBuckets } from './rate-limit.js';

export type Caller = { kind: 'key'; id: string; team: string; role: ApiRole } | { kind: 'anonymous'; ip: string };

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export type AuthOptions = {
  lookup: (key: string) => Promise<ApiKeyRecord | null>;
  publicRead: boolean;
  rateLimitRps: number;
  bootstrapKey?: string;
  /** How long a looked-up key is trusted before asking the store again (revocation delay). */
  lookupCacheMs?: number;
  now?: () => number;
};

export function presentedKey(req: Request): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    // Shop session tokens (shop_…) share the Authorization header; they are not API keys.
    if (m && !m[1]!.startsWith('shop_')) return m[1]!;
  }
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x.trim();
  return null;
}

export function createAuth(opts: AuthOptions) {
  const now = opts.now ?? (() => Date.now());
  const cacheMs = opts.lookupCacheMs ?? 5_000;
  const cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();
  const buckets = createTokenBuckets({ ratePerSecond: opts.rateLimitRps, burst: opts.rateLimitRps * 2, now });

  async function resolveKey(key: string): Promise<ApiKeyRecord | null> {
    if (opts.bootstrapKey && sameKey(key, opts.bootstrapKey))
      return { id: 'bootstrap', team: 'bootstrap', role: 'admin', createdAt: new Date(0), revokedAt: null };
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.record;
    const record = await opts.lookup(key);
    if (cacheMs > 0) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { record, until: now() + cacheMs });
    }
    return record;
  }

  /** Identify the caller (401 for an invalid or revoked key) and apply the rate limit (429). */
  async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const key = presentedKey(req);
    if (key === null) {
      req.caller = { kind: 'anonymous', ip: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
    } else {
      const record = await resolveKey(key);
      if (!record) throw new HttpError(401, 'unauthorized', 'invalid API key');
      if (record.revokedAt) throw new HttpError(401, 'unauthorized', 'API key has been revoked');
      req.caller = { kind: 'key', id: record.id, team: record.team, role: record.role };
    }
    const id = req.caller.kind === 'key' ? `key:${req.caller.id}` : `ip:${req.caller.ip}`;
    const taken = buckets.take(id);
    if (!taken.ok) {
      res.setHeader('retry-after', String(taken.retryAfterSeconds));
      throw new HttpError(429, 'rate_limited', `rate limit of ${opts.rateLimitRps} requests/s exceeded`, undefined, { 'retry-after': String(taken.retryAfterSeconds) });
    }
    next();
  }

  function requireRead(req: Request, _res: Response, next: NextFunction): void {
    if (req.caller?.kind === 'key' || opts.publicRead) return next();
    throw new HttpError(401, 'unauthorized', 'an API key is required (Authorization: Bearer <key> or x-api-key)');
  }

  function requireAdmin(req: Request, _res: Response, next: NextFunction): void {
    if (req.caller?.kind !== 'key') throw new HttpError(401, 'unauthorized', 'an admin API key is required');
    if (req.caller.role !== 'admin') throw new HttpError(403, 'forbidden', 'this route needs an admin key; the presented key has role read');
    next();
  }

  return { authenticate, requireRead, requireAdmin };
}
