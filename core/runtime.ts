// Builds the Common object for a process and serves its /metrics, /health and /ready. The
// /health and /ready answers here are the only ones: serving/app.ts renders the same two.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Common } from './common.js';
import { type Config, loadConfig } from './config.js';
import { RetryableError, errorMessage, isRetryable, sleep } from './errors.js';
import { createLogger } from './logger.js';
import { createMetricsRegistry } from './metrics.js';
import { createShutdown } from './shutdown.js';

export function createCommon(processName: string, opts: { config?: Config; installSignalHandlers?: boolean } = {}): Common {
  const config = opts.config ?? loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: `chainlake-${processName}` });
  const metrics = createMetricsRegistry({ process: processName });
  const shutdown = createShutdown(logger, { installSignalHandlers: opts.installSignalHandlers ?? true });
  return { config, logger, metrics, shutdown };
}

export type ReadyCheck = () => Promise<void> | void;
export type ReadyCheckResult = { ok: boolean; retryable?: boolean; error?: string };
export type HealthBody = { status: 'ok'; uptimeSeconds: number };
export type ReadyBody = { ready: boolean; checks: Record<string, ReadyCheckResult> };

/** A check that has not answered within this is failing: a hung store is not ready. */
const READY_CHECK_TIMEOUT_MS = 5_000;

/** /health: the process is alive (no dependency is consulted). */
export const healthBody = (): HealthBody => ({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });

/**
 * /ready: every check passes (200) or not (503) and the process is not shutting down. A check
 * fails by throwing (or by not answering in time); `retryable` says whether the error is the
 * transient kind (core/errors.ts isRetryable: e.g. a store the driver boundary classified as
 * unavailable), the same classification that turns API errors into 503s.
 */
export async function readiness(
  checks: Record<string, ReadyCheck>,
  shuttingDown: boolean,
  timeoutMs = READY_CHECK_TIMEOUT_MS,
): Promise<{ status: 200 | 503; body: ReadyBody }> {
  const results: Record<string, ReadyCheckResult> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const ac = new AbortController();
      try {
        await Promise.race([
          Promise.resolve().then(check),
          sleep(timeoutMs, ac.signal).then(() => {
            throw new RetryableError(`no answer within ${timeoutMs} ms`);
          }),
        ]);
        results[name] = { ok: true };
      } catch (e) {
        results[name] = { ok: false, retryable: isRetryable(e), error: errorMessage(e).slice(0, 300) };
      } finally {
        ac.abort();
      }
    }),
  );
  const ready = Object.values(results).every((r) => r.ok) && !shuttingDown;
  return { status: ready ? 200 : 503, body: { ready, checks: results } };
}

/** /metrics (Prometheus text), /health and /ready (see readiness) on their own port. */
export async function serveProcessEndpoints(
  common: Common,
  port: number,
  checks: Record<string, ReadyCheck> = {},
): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': common.metrics.contentType });
        res.end(await common.metrics.metrics());
      } else if (path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(healthBody()));
      } else if (path === '/ready') {
        const { status, body } = await readiness(checks, common.shutdown.isShuttingDown());
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: `no route ${path}` } }));
      }
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: errorMessage(e) } }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, common.config.HOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  common.logger.info({ msg: 'Process endpoints listening', url: undefined, port: actual, paths: ['/metrics', '/health', '/ready'] });
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  common.shutdown.add('process-endpoints', close);
  return { port: actual, server, close };
}
