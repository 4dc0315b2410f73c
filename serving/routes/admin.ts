// Operations routes: RPC usage and consumer lag (/ops), the batch run history and the admin-only
// recompute request.
import type { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { HttpError } from '../http-errors.js';
import { opsResponse, recomputeResponse, runsQuery, runsResponse } from '../schemas.js';
import type { BatchSource } from '../sources.js';
import { parse } from '../parse.js';
import type { RouteKit } from './route.js';

/** Ingest and consumer status for the Ops page (serving/stores.ts createOpsSource). */
export type OpsSource = () => Promise<z.output<typeof opsResponse>>;

export function adminRoutes(kit: RouteKit, deps: { batch: BatchSource; ops: OpsSource | undefined; log: Logger }): void {
  const { route } = kit;
  const { batch, log } = deps;
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
    { summary: 'Recent batch runs (newest first)', auth: 'read', query: runsQuery, response: runsResponse, arrow: true, tags: ['batch'] },
    async (req) => {
      const q = parse(runsQuery, req.query, 'query');
      const items = await batch.listRuns(q.limit);
      return { payload: { items }, rows: items };
    },
  );
  route(
    'post',
    '/batch/recompute',
    { summary: 'Ask the batch scheduler for a recompute (admin)', auth: 'admin', response: recomputeResponse, tags: ['batch'] },
    async (req) => {
      const caller = req.caller?.kind === 'key' ? `${req.caller.team}/${req.caller.id}` : 'unknown';
      const request = await batch.requestRecompute(caller);
      log.info({ msg: 'Recompute requested', by: caller });
      return { payload: { requested: true, request } };
    },
  );
}
