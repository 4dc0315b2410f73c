// Process endpoints outside the API (no auth): /health, /ready (named checks), /metrics, and the
// OpenAPI document built lazily from every registered route's doc, plus its /docs page.
import type { Express } from 'express';
import type { Common } from '../../core/common.js';
import { errorMessage } from '../../core/errors.js';
import { type RouteDoc, buildOpenApi, docsHtml } from '../openapi.js';

export function processRoutes(app: Express, deps: { common: Common; docs: RouteDoc[]; readyChecks: Record<string, () => Promise<void>> }): void {
  const { common, docs } = deps;
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/ready', async (_req, res) => {
    const results: Record<string, { ok: boolean; error?: string }> = {};
    await Promise.all(
      Object.entries(deps.readyChecks).map(async ([name, check]) => {
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
}
