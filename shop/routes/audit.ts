// /audit: the shop's write log (who, what, when), newest first, one UTC day at a time. Admin only.
import { Router } from 'express';
import { z } from 'zod';
import type { createAuth } from './auth.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import type { ShopContext } from './context.js';

export const AuditQuery = z.object({
  day: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2000).optional(),
  action: z.string().max(100).optional(),
});
export const AuditList = z.object({
  day: z.string(),
  items: z.array(
    z.object({ at: z.string(), actorId: z.string(), actorRole: z.string(), action: z.string(), entity: z.string(), entityId: z.string(), details: z.record(z.string(), z.unknown()) }),
  ),
  nextCursor: z.string().nullable(),
});

export const auditRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/audit', summary: 'Audit log of shop writes for one UTC day (admin)', auth: 'session', query: AuditQuery, response: AuditList },
];

export function auditRouter(ctx: ShopContext, auth: ReturnType<typeof createAuth>): Router {
  const r = Router();
  r.get('/audit', auth.requireAdmin, async (req, res) => {
    const q = parse(AuditQuery, req.query, 'query');
    const day = q.day ?? new Date().toISOString().slice(0, 10);
    const page = await ctx.store.listAudit({ day, limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
    const items = page.items.filter((e) => q.action === undefined || e.action === q.action).map((e) => ({ ...e, at: e.at.toISOString() }));
    res.json({ day, items, nextCursor: page.nextCursor });
  });
  return r;
}
