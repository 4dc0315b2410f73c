// The serving HTTP app (express 5): chain API under /api/v1 (lambda-merged stats, blocks,
// txs, history, SQL, SSE), mounted plugins (the shop), OpenAPI + docs, /metrics /health /ready, and the
// static dashboard. createApp assembles it in named steps from the route files in routes/
// (each registers its routes and their docs); serving/server.ts wires the real stores.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Common } from '../core/common.js';
import { histogram } from '../core/metrics.js';
import { repoPath } from '../core/paths.js';
import type { ReadyCheck } from '../core/runtime.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import { createAuth } from './auth.js';
import { HttpError, errorMiddleware } from './http-errors.js';
import type { RouteDoc } from './openapi.js';
import type { ServingPlugin } from './plugin.js';
import { type OpsSource, adminRoutes } from './routes/admin.js';
import { blockRoutes } from './routes/blocks.js';
import { processRoutes } from './routes/process.js';
import { API, createRouteKit } from './routes/route.js';
import { sqlRoutes } from './routes/sql.js';
import { statsRoutes } from './routes/stats.js';
import { streamRoutes } from './routes/stream.js';
import type { BatchSource, SpeedSource } from './sources.js';
import type { SqlSandbox } from './sql.js';

export type { OpsSource };

export type AppDeps = {
  common: Common;
  speed: SpeedSource;
  batch: BatchSource;
  sql: SqlSandbox | null;
  lookupKey: (key: string) => Promise<ApiKeyRecord | null>;
  readyChecks?: Record<string, ReadyCheck>;
  ops?: OpsSource;
  /** Second applications mounted under /api/v1 (the shop), see serving/plugin.ts. */
  plugins?: ServingPlugin[];
  dashboardDir?: string;
  authLookupCacheMs?: number;
  streamPollMs?: number;
  now?: () => number;
};

const BODY_LIMIT = '64kb';

/** Request duration by route and status, labelled with the matched route pattern. */
function recordDurations(app: Express, common: Common): void {
  const duration = histogram(common.metrics, {
    name: 'chainlake_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  app.use((req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path !== undefined ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith(API) ? 'unmatched' : 'static';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
}

/** The static dashboard and its vendored chart.js. */
function serveDashboard(app: Express, dashboardDir: string | undefined): void {
  const dir = dashboardDir ? resolve(dashboardDir) : repoPath('dashboard');
  if (existsSync(dir)) app.use(express.static(dir, { maxAge: 60_000 }));
  try {
    const chartDist = join(dirname(createRequire(import.meta.url).resolve('chart.js')), '..', 'dist');
    if (existsSync(chartDist)) app.use('/vendor/chart.js', express.static(chartDist, { maxAge: 3_600_000 }));
  } catch {
    /* chart.js not installed: the dashboard loads without charts */
  }
}

export function createApp(deps: AppDeps) {
  const { common, speed, batch } = deps;
  const log = common.logger.child({ component: 'serving' });
  const now = deps.now ?? (() => Date.now());
  const cfg = common.config;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  recordDurations(app, common);

  // ---- process endpoints, docs ----
  const docs: RouteDoc[] = [];
  processRoutes(app, { common, docs, readyChecks: deps.readyChecks ?? {} });

  // ---- chain API ----
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
  const kit = createRouteKit({ api, auth, docs, cacheTtlMs: cfg.CACHE_TTL_MS, now });
  statsRoutes(kit, { speed, batch });
  blockRoutes(kit, { speed, batch });
  adminRoutes(kit, { batch, ops: deps.ops, log });
  sqlRoutes(kit, { sql: deps.sql, config: cfg });
  const hub = streamRoutes(kit, { speed, log, ...(deps.streamPollMs !== undefined ? { pollMs: deps.streamPollMs } : {}) });

  // ---- plugins (the shop) ----
  for (const plugin of deps.plugins ?? []) for (const d of plugin.mount({ router: api, common })) docs.push({ tags: [plugin.name], ...d, path: `${API}${d.path}` });
  app.use(API, api);
  app.use(API, (req, _res, next) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`)));

  // ---- dashboard ----
  serveDashboard(app, deps.dashboardDir);

  // ---- errors ----
  app.use((req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));

  return {
    app,
    docs,
    close: () => {
      hub.close();
    },
  };
}
