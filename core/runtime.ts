// Builds the Common object for a process and serves its /metrics, /health and /ready.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Common } from './common.js';
import { type Config, loadConfig } from './config.js';
import { errorMessage } from './errors.js';
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

/**
 * /metrics (Prometheus text), /health (process is alive), /ready (every check passes:
 * 200 with {ready:true,checks}, else 503 naming the failing checks).
 */
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
        res.end(JSON.stringify({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
      } else if (path === '/ready') {
        const results: Record<string, { ok: boolean; error?: string }> = {};
        await Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            try {
              await check();
              results[name] = { ok: true };
            } catch (e) {
              results[name] = { ok: false, error: errorMessage(e) };
            }
          }),
        );
        const ready = Object.values(results).every((r) => r.ok) && !common.shutdown.isShuttingDown();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ready, checks: results }));
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
