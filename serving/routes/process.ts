// Process endpoints outside the API (no auth): /health, /ready (named checks), /metrics, and the
// OpenAPI document built lazily from every registered route's doc, plus its /docs page.
import type { Express } from 'express';
import type { Common } from '../../core/common.js';
import { type ReadyCheck, healthBody, readiness } from '../../core/runtime.js';
import { type RouteDoc, buildOpenApi, docsHtml } from '../openapi.js';

export function processRoutes(app: Express, deps: { common: Common; docs: RouteDoc[]; readyChecks: Record<string, ReadyCheck> }): void {
  const { common, docs } = deps;
  app.get('/health', (_req, res) => {
    res.json(healthBody());
  });
  app.get('/ready', async (_req, res) => {
    const { status, body } = await readiness(deps.readyChecks, common.shutdown.isShuttingDown());
    res.status(status).json(body);
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
