// How a chain API route is declared: one call binds the handler, its auth guard, its response
// cache (ETag + short TTL for hot endpoints), JSON-or-Arrow rendering, and the RouteDoc that
// /openapi.json publishes (request and 200 response schemas). Route files receive a RouteKit.
import { createHash } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { ARROW_STREAM, rowsToArrowIpc } from '../arrow.js';
import type { createAuth } from '../auth.js';
import type { RouteDoc } from '../openapi.js';

/** Mount point of the chain API. */
export const API = '/api/v1';

/** What a handler returns: the JSON payload and, for list endpoints, the rows Arrow renders. */
export type RouteResult = { payload: unknown; rows?: Record<string, unknown>[]; columns?: string[] };
type Cached = { body: Buffer; contentType: string; etag: string; expires: number };

const wantsArrow = (req: Request): boolean => (req.headers.accept ?? '').includes(ARROW_STREAM);

function render(req: Request, result: RouteResult): { body: Buffer; contentType: string } {
  if (result.rows && wantsArrow(req)) return { body: Buffer.from(rowsToArrowIpc(result.rows, result.columns)), contentType: ARROW_STREAM };
  return { body: Buffer.from(JSON.stringify(result.payload)), contentType: 'application/json; charset=utf-8' };
}

const etagOf = (body: Buffer): string => `"${createHash('sha1').update(body).digest('base64url')}"`;

function send(req: Request, res: Response, entry: { body: Buffer; contentType: string; etag: string }): void {
  res.setHeader('etag', entry.etag);
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('vary', 'accept');
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === entry.etag || t.trim() === `W/${entry.etag}`)) {
    res.status(304).end();
    return;
  }
  res.setHeader('content-type', entry.contentType);
  res.status(200).end(entry.body);
}

export type RouteKit = ReturnType<typeof createRouteKit>;

/** Declares routes on the API router and records their docs. */
export function createRouteKit(opts: { api: Router; auth: ReturnType<typeof createAuth>; docs: RouteDoc[]; cacheTtlMs: number; now: () => number }) {
  const { api, auth, docs, now } = opts;
  const cache = new Map<string, Cached>();
  const inflight = new Map<string, Promise<Cached>>();
  const ttl = opts.cacheTtlMs;

  const route = (
    method: 'get' | 'post',
    path: string,
    doc: Omit<RouteDoc, 'method' | 'path'>,
    fn: (req: Request) => Promise<RouteResult>,
    routeOpts: { cache?: boolean } = {},
  ) => {
    docs.push({ method, path: `${API}${path}`, ...doc });
    const guard = doc.auth === 'admin' ? auth.requireAdmin : auth.requireRead;
    api[method](path, guard, async (req: Request, res: Response) => {
      if (routeOpts.cache && ttl > 0) {
        const key = `${req.originalUrl}|${wantsArrow(req) ? 'arrow' : 'json'}`;
        const hit = cache.get(key);
        if (hit && hit.expires > now()) return send(req, res, hit);
        let p = inflight.get(key);
        if (!p) {
          p = (async () => {
            const r = render(req, await fn(req));
            const entry = { ...r, etag: etagOf(r.body), expires: now() + ttl };
            if (cache.size > 5_000) cache.clear();
            cache.set(key, entry);
            return entry;
          })().finally(() => inflight.delete(key));
          inflight.set(key, p);
        }
        return send(req, res, await p);
      }
      const r = render(req, await fn(req));
      send(req, res, { ...r, etag: etagOf(r.body) });
    });
  };

  return { route, api, auth, docs, now };
}
