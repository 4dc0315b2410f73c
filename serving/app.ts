// The serving HTTP app (express 5): chain API under /api/v1 (lambda-merged stats, blocks,
// txs, history, SQL, SSE), the shop router, OpenAPI + docs, /metrics /health /ready, and the
// static dashboard. createApp builds it from injected sources; serving/server.ts wires stores.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { Histogram } from 'prom-client';
import type { z } from 'zod';
import type { Common } from '../core/common.js';
import { ValidationError, errorMessage } from '../core/errors.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import { ARROW_STREAM, rowsToArrowIpc } from './arrow.js';
import { createAuth } from './auth.js';
import { addressHistoryPage } from './history.js';
import { toHttpError, HttpError } from './http-errors.js';
import {
  GRANULARITY_SECONDS,
  bucketOf,
  computeFreshness,
  mergeBlockSeries,
  mergeStats,
  sumBuckets,
  totalsJson,
} from './merge.js';
import { type RouteDoc, buildOpenApi, docsHtml } from './openapi.js';
import {
  addressParam,
  blockIdParam,
  blockSeriesQuery,
  hashParam,
  latestQuery,
  objectResponse,
  opsResponse,
  pageQuery,
  pageResponse,
  rankQuery,
  rowsResponse,
  runsQuery,
  sqlBody,
  sqlResponse,
  statsQuery,
  statsResponse,
  tokenTransfersQuery,
  tokenVolumeQuery,
} from './schemas.js';
import type { BatchSource, JsonRow, SpeedSource } from './sources.js';
import type { SqlSandbox } from './sql.js';
import { createStreamHub } from './stream.js';

/** Ingest and consumer status for the Ops page (serving/stores.ts createOpsSource). */
export type OpsSource = () => Promise<z.output<typeof opsResponse>>;

/** A route doc as the shop router publishes it. */
export type ShopRouteDoc = { method: string; path: string; summary: string; request?: z.ZodType; query?: z.ZodType; params?: z.ZodType; response?: z.ZodType; auth?: string };

export type AppDeps = {
  common: Common;
  speed: SpeedSource;
  batch: BatchSource;
  sql: SqlSandbox | null;
  lookupKey: (key: string) => Promise<ApiKeyRecord | null>;
  readyChecks?: Record<string, () => Promise<void>>;
  ops?: OpsSource;
  shop?: { router: Router; docs: ShopRouteDoc[] };
  dashboardDir?: string;
  authLookupCacheMs?: number;
  streamPollMs?: number;
  now?: () => number;
};

type Result = { payload: unknown; rows?: JsonRow[]; columns?: string[] };
type Cached = { body: Buffer; contentType: string; etag: string; expires: number };

const API = '/api/v1';
const BODY_LIMIT = '64kb';

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = details[0];
  throw new ValidationError(`invalid ${what}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`, details);
}

const wantsArrow = (req: Request): boolean => (req.headers.accept ?? '').includes(ARROW_STREAM);

function render(req: Request, result: Result): { body: Buffer; contentType: string } {
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

const iso = (s: number) => new Date(s * 1000).toISOString();
const today = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);

export function createApp(deps: AppDeps) {
  const { common, speed, batch } = deps;
  const log = common.logger.child({ component: 'serving' });
  const now = deps.now ?? (() => Date.now());
  const cfg = common.config;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');

  const duration = new Histogram({
    name: 'chainlake_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [common.metrics],
  });
  app.use((req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path !== undefined ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith(API) ? 'unmatched' : 'static';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  // ---- process endpoints, docs ----
  const docs: RouteDoc[] = [];
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/ready', async (_req, res) => {
    const results: Record<string, { ok: boolean; error?: string }> = {};
    await Promise.all(
      Object.entries(deps.readyChecks ?? {}).map(async ([name, check]) => {
        try {
          await check();
          results[name] = { ok: true };
        } catch (e) {
          results[name] = { ok: false, error: errorMessage(e).slice(0, 300) };
        }
      }),
    );
    const ready = Object.values(results).every((r) => r.ok) && !common.shutdown.isShuttingDown();
    res.status(ready ? 200 : 503).json({ ready, checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', common.metrics.contentType);
    res.end(await common.metrics.metrics());
  });
  let openapi: Record<string, unknown> | null = null;
  app.get('/openapi.json', (_req, res) => {
    openapi ??= buildOpenApi(docs, {
      title: 'chainlake API',
      version: '1.0.0',
      description: 'Lambda-merged EVM chain analytics (speed views + batch lake), read-only SQL over the lake, and the shop API.',
    });
    res.json(openapi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsHtml);
  });

  // ---- API ----
  const auth = createAuth({
    lookup: deps.lookupKey,
    publicRead: cfg.PUBLIC_READ,
    rateLimitRps: cfg.API_RATE_LIMIT_RPS,
    ...(cfg.ADMIN_BOOTSTRAP_KEY ? { bootstrapKey: cfg.ADMIN_BOOTSTRAP_KEY } : {}),
    ...(deps.authLookupCacheMs !== undefined ? { lookupCacheMs: deps.authLookupCacheMs } : {}),
  });
  const api = express.Router();
  api.use(auth.authenticate);
  api.use(express.json({ limit: BODY_LIMIT }));

  const cache = new Map<string, Cached>();
  const inflight = new Map<string, Promise<Cached>>();
  const ttl = cfg.CACHE_TTL_MS;

  const route = (
    method: 'get' | 'post',
    path: string,
    doc: Omit<RouteDoc, 'method' | 'path'>,
    fn: (req: Request) => Promise<Result>,
    opts: { cache?: boolean } = {},
  ) => {
    docs.push({ method, path: `${API}${path}`, ...doc });
    const guard = doc.auth === 'admin' ? auth.requireAdmin : auth.requireRead;
    api[method](path, guard, async (req: Request, res: Response) => {
      if (opts.cache && ttl > 0) {
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

  // Stats: batch rows (blocks ≤ horizon) + speed per-block partials (blocks > horizon).
  route(
    'get',
    '/stats',
    { summary: 'Chain stats per minute/hour/day over a time range, merged from batch and speed layers, with a breakdown by tx class', auth: 'read', query: statsQuery, response: statsResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(statsQuery, req.query, 'query');
      const g = q.granularity;
      const start = bucketOf(q.from, g);
      const lastBucket = bucketOf(q.to - 1, g);
      const batchPart = await batch.stats({ granularity: g, from: start, to: q.to });
      const horizon = batchPart.version ? { block: batchPart.version.horizon } : null;
      // Speed is only needed from the horizon block's minute on.
      let speedFrom = start;
      if (horizon) {
        const hb = await speed.blockByNumber(horizon.block);
        if (hb && typeof hb.timestamp === 'number') speedFrom = Math.max(start, hb.timestamp - (hb.timestamp % 60));
      }
      const speedTo = lastBucket + GRANULARITY_SECONDS[g];
      const partials = speedFrom < speedTo ? await speed.blockPartials({ from: speedFrom, to: speedTo }) : [];
      const buckets = mergeStats({ from: start, to: q.to, granularity: g, horizon, batch: batchPart.rows, speed: partials }).map((b) => ({
        time: iso(b.bucket),
        ...totalsJson(b),
      }));
      const total = totalsJson(sumBuckets(buckets.map((b) => ({ ...b, gasUsed: BigInt(b.gasUsed), fees: BigInt(b.fees), nativeValue: BigInt(b.nativeValue) }))));
      return {
        payload: { from: start, to: q.to, granularity: g, horizon: horizon?.block ?? null, batchVersion: batchPart.version?.version ?? null, buckets, total },
        rows: buckets,
      };
    },
    { cache: true },
  );

  // Daily top lists come from the batch layer only, one UTC day at a time.
  const dailyTop = (path: string, summary: string, read: (q: { day: string; limit: number }) => Promise<JsonRow[]>) =>
    route(
      'get',
      path,
      { summary, auth: 'read', query: rankQuery, response: rowsResponse, arrow: true, tags: ['chain'] },
      async (req) => {
        const q = parse(rankQuery, req.query, 'query');
        const day = q.day ?? today(now());
        const items = await read({ day, limit: q.limit });
        return { payload: { day, items }, rows: items };
      },
      { cache: true },
    );
  dailyTop('/top/senders', 'Top senders of a UTC day (batch layer)', (q) => batch.topSenders(q));
  dailyTop('/top/contracts', 'Most called contracts of a UTC day (batch layer)', (q) => batch.topContracts(q));
  route(
    'get',
    '/tokens/volume',
    { summary: 'ERC-20 transfer volume per token of a UTC day (batch layer)', auth: 'read', query: tokenVolumeQuery, response: rowsResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(tokenVolumeQuery, req.query, 'query');
      const day = q.day ?? today(now());
      const items = await batch.tokenVolume({ day, limit: q.limit, ...(q.token ? { token: q.token } : {}) });
      return { payload: { day, items }, rows: items };
    },
    { cache: true },
  );

  route(
    'get',
    '/blocks/latest',
    { summary: 'Newest blocks (speed layer)', auth: 'read', query: latestQuery, response: rowsResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(latestQuery, req.query, 'query');
      const items = await speed.latestBlocks(q.limit);
      return { payload: { items }, rows: items };
    },
    { cache: true },
  );
  route(
    'get',
    '/blocks/series',
    { summary: 'Per-block series (txs, gas, fees) over a block range: batch up to the horizon, speed after', auth: 'read', query: blockSeriesQuery, response: rowsResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(blockSeriesQuery, req.query, 'query');
      const b = await batch.blockSeries(q);
      const horizon = b.version ? { block: b.version.horizon } : null;
      const needSpeed = horizon === null || q.toBlock > horizon.block;
      const s = needSpeed ? await speed.blockSeries({ fromBlock: Math.max(q.fromBlock, horizon ? horizon.block + 1 : 0), toBlock: q.toBlock }) : [];
      const items = mergeBlockSeries({ ...q, horizon, batch: b.rows, speed: s }).map((r) => ({
        ...r,
        gasUsed: r.gasUsed.toString(),
        fees: r.fees.toString(),
        baseFeePerGas: r.baseFeePerGas === null ? null : r.baseFeePerGas.toString(),
      }));
      return { payload: { horizon: horizon?.block ?? null, items }, rows: items };
    },
    { cache: true },
  );
  route(
    'get',
    '/blocks/:id',
    { summary: 'One block by number or hash', auth: 'read', response: objectResponse, tags: ['chain'] },
    async (req) => {
      const id = parse(blockIdParam, req.params.id, 'block id');
      const block = 'number' in id ? await speed.blockByNumber(id.number) : await speed.blockByHash(id.hash);
      if (!block) throw new HttpError(404, 'not_found', `block ${req.params.id} not found`);
      return { payload: block };
    },
  );
  route(
    'get',
    '/txs/:hash',
    { summary: 'One transaction by hash', auth: 'read', response: objectResponse, tags: ['chain'] },
    async (req) => {
      const hash = parse(hashParam, req.params.hash, 'transaction hash');
      const tx = await speed.txByHash(hash);
      if (!tx) throw new HttpError(404, 'not_found', `transaction ${hash} not found`);
      return { payload: tx };
    },
  );
  route(
    'get',
    '/addresses/:address/txs',
    { summary: 'Transactions of an address, newest first, paged (speed views, then the lake for older rows)', auth: 'read', query: pageQuery, response: pageResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const address = parse(addressParam, req.params.address, 'address');
      const q = parse(pageQuery, req.query, 'query');
      const page = await addressHistoryPage({ speed, batch }, address, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return { payload: page, rows: page.items };
    },
  );
  route(
    'get',
    '/token-transfers',
    { summary: 'ERC-20 transfers of a token or an address, newest first, paged (speed views)', auth: 'read', query: tokenTransfersQuery, response: pageResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(tokenTransfersQuery, req.query, 'query');
      const page = await speed.tokenTransfers({ limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.token ? { token: q.token } : { address: q.address! }) });
      return { payload: page, rows: page.items };
    },
  );
  route(
    'get',
    '/freshness',
    { summary: 'Chain head, speed lag (blocks, seconds), batch horizon and the last batch run', auth: 'read', response: objectResponse, tags: ['chain'] },
    async () => {
      const [head, f, v, runs] = await Promise.all([speed.chainHead(), speed.freshness(), batch.version(), batch.listRuns(1).catch(() => [])]);
      const fresh = computeFreshness({
        chainHead: head,
        speedLastBlock: f?.lastBlock ?? null,
        speedLastTimestamp: f?.lastBlockTimestamp ?? null,
        speedWrittenAt: f?.writtenAt ?? null,
        batchHorizon: v?.horizon ?? null,
        batchVersion: v?.version ?? null,
        batchCreatedAt: v?.createdAt ?? null,
        nowMs: now(),
      });
      return { payload: { ...fresh, lastBatchRun: runs[0] ?? null } };
    },
    { cache: true },
  );
  route(
    'get',
    '/ops',
    {
      summary: "Today's RPC usage per endpoint label (requests, errors, 429s, last use) and Kafka lag of the views and compact consumer groups",
      auth: 'read',
      response: opsResponse,
      tags: ['ops'],
    },
    async () => {
      if (!deps.ops) throw new HttpError(503, 'unavailable', 'ops status is not enabled on this server');
      return { payload: await deps.ops() };
    },
  );
  route(
    'get',
    '/batch/runs',
    { summary: 'Recent batch runs (newest first)', auth: 'read', query: runsQuery, response: rowsResponse, arrow: true, tags: ['batch'] },
    async (req) => {
      const q = parse(runsQuery, req.query, 'query');
      const items = await batch.listRuns(q.limit);
      return { payload: { items }, rows: items };
    },
  );
  route(
    'post',
    '/batch/recompute',
    { summary: 'Ask the batch scheduler for a recompute (admin)', auth: 'admin', response: objectResponse, tags: ['batch'] },
    async (req) => {
      const caller = req.caller?.kind === 'key' ? `${req.caller.team}/${req.caller.id}` : 'unknown';
      const request = await batch.requestRecompute(caller);
      log.info({ msg: 'Recompute requested', by: caller });
      return { payload: { requested: true, request } };
    },
  );

  // SQL over the lake.
  route(
    'post',
    '/sql',
    {
      summary: `Read-only SQL over the lake views (one SELECT; ${cfg.SQL_TIMEOUT_MS} ms timeout; at most ${cfg.SQL_ROW_LIMIT} rows, more is a 400)`,
      auth: 'read',
      request: sqlBody,
      response: sqlResponse,
      arrow: true,
      tags: ['sql'],
    },
    async (req) => {
      if (!deps.sql) throw new HttpError(503, 'unavailable', 'the SQL endpoint is not enabled on this server');
      const body = parse(sqlBody, req.body ?? {}, 'request body');
      const result = await deps.sql.query(body.sql);
      return { payload: result, rows: result.rows, columns: result.columns.map((c) => c.name) };
    },
  );
  route(
    'get',
    '/sql/views',
    { summary: 'Views the SQL endpoint can read', auth: 'read', response: objectResponse, tags: ['sql'] },
    async () => ({ payload: { views: deps.sql ? await deps.sql.views() : [] } }),
  );

  // Live stream (SSE). One shared poller.
  const hub = createStreamHub({
    logger: log,
    ...(deps.streamPollMs !== undefined ? { pollMs: deps.streamPollMs } : {}),
    poll: async (since) => {
      const blocks = await speed.latestBlocks(since === null ? 1 : 20);
      const nowS = Math.floor(now() / 1000);
      const minute = nowS - (nowS % 60);
      const partials = await speed.blockPartials({ from: minute - 60, to: minute + 60 });
      const stats = mergeStats({ from: minute - 60, to: minute + 60, granularity: 'minute', horizon: null, batch: [], speed: partials });
      const latest = [...stats].reverse().find((s) => s.blocks > 0) ?? stats[stats.length - 1]!;
      return { blocks, minute: { time: iso(latest.bucket), ...totalsJson(latest) } };
    },
  });
  docs.push({ method: 'get', path: `${API}/stream`, summary: 'Server-sent events: `block` (each new block) and `stats` (current minute)', auth: 'read', tags: ['chain'] });
  api.get('/stream', auth.requireRead, (req, res) => hub.handler(req, res));

  if (deps.shop) {
    api.use(deps.shop.router);
    for (const d of deps.shop.docs) {
      docs.push({
        method: d.method.toLowerCase() as RouteDoc['method'],
        path: d.path.startsWith('/api/') ? d.path : `${API}${d.path}`,
        summary: d.summary,
        tags: ['shop'],
        auth: d.auth === 'session' || d.auth === 'admin' ? 'session' : 'public',
        ...(d.params ? { params: d.params } : {}),
        ...(d.query ? { query: d.query } : {}),
        ...(d.request ? { request: d.request } : {}),
        ...(d.response ? { response: d.response } : {}),
      });
    }
  }
  app.use(API, api);
  app.use(API, (req, _res, next) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`)));

  // ---- dashboard ----
  const dashboardDir = resolve(deps.dashboardDir ?? 'dashboard');
  if (existsSync(dashboardDir)) app.use(express.static(dashboardDir, { maxAge: 60_000 }));
  try {
    const chartDist = join(dirname(createRequire(import.meta.url).resolve('chart.js')), '..', 'dist');
    if (existsSync(chartDist)) app.use('/vendor/chart.js', express.static(chartDist, { maxAge: 3_600_000 }));
  } catch {
    /* chart.js not installed: the dashboard loads without charts */
  }

  // ---- errors ----
  app.use((req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body, headers } = toHttpError(err);
    if (status === 500) log.error({ msg: 'Request failed', method: req.method, path: req.path, status, err: errorMessage(err) });
    else if (status >= 500) log.warn({ msg: 'Request failed', method: req.method, path: req.path, status, err: errorMessage(err) });
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  });

  return {
    app,
    docs,
    close: () => {
      hub.close();
    },
  };
}
