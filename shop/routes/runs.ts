// /shop/runs: recent runs of the books jobs (scrape, recommend), newest first, from the
// shop's own run history (shop_job_runs). Read-only, public like /batch/runs.
import { Router } from 'express';
import { z } from 'zod';
import type { RouteDoc } from '../../serving/openapi.js';
import { parse } from '../../serving/parse.js';
import { createJobRunRecorder, SHOP_JOB_KINDS } from '../jobs/job-runs.js';
import type { ShopContext } from './context.js';

export const RunsQuery = z.object({
  kind: z.enum(SHOP_JOB_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
export const RunList = z.object({
  items: z.array(
    z.object({
      kind: z.enum(SHOP_JOB_KINDS),
      runId: z.string(),
      trigger: z.string(),
      status: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      rows: z.number().int(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});

export const runRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/shop/runs', summary: 'Recent books job runs (scrape, recommend), newest first', query: RunsQuery, response: RunList },
];

export function runsRouter(ctx: ShopContext): Router {
  const r = Router();
  const runs = createJobRunRecorder(ctx.store);
  r.get('/shop/runs', async (req, res) => {
    const q = parse(RunsQuery, req.query, 'query');
    const items = await runs.list(q.kind, q.limit);
    res.json({ items: items.map((x) => ({ ...x, startedAt: x.startedAt.toISOString(), finishedAt: x.finishedAt?.toISOString() ?? null })) });
  });
  return r;
}
