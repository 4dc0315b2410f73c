// Shop session auth. The token comes from `x-session-token`, or from
// `Authorization: Bearer shop_…` (the "shop_" prefix keeps it apart from API keys).
import type { NextFunction, Request, Response } from 'express';
import { hashToken, SESSION_TOKEN_PREFIX } from '../auth.js';
import type { ShopContext, SessionUser } from './context.js';
import { HttpError } from '../../serving/http-errors.js';

export function sessionTokenOf(req: Request): string | null {
  const header = req.get('x-session-token');
  if (header && header.trim().length > 0) return header.trim();
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return m?.[1]?.startsWith(SESSION_TOKEN_PREFIX) ? m[1] : null;
}

export function createAuth(ctx: ShopContext) {
  async function resolve(req: Request): Promise<SessionUser | null> {
    const token = sessionTokenOf(req);
    if (!token) return null;
    const session = await ctx.store.getSession(hashToken(token));
    if (!session || session.expiresAt.getTime() <= Date.now()) return null;
    const user = await ctx.store.getUser(session.userId);
    return user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null;
  }

  /** 401 without a valid session; puts the user in res.locals.shopUser. */
  const requireUser = async (req: Request, res: Response, next: NextFunction) => {
    const user = await resolve(req);
    if (!user)
      throw new HttpError(401, 'unauthorized', 'a valid shop session is required: send it as "x-session-token: <token>" or "Authorization: Bearer <token>"');
    res.locals.shopUser = user;
    next();
  };

  /** 401 without a session, 403 unless the user is an admin. */
  const requireAdmin = async (req: Request, res: Response, next: NextFunction) => {
    await requireUser(req, res, () => {});
    if ((res.locals.shopUser as SessionUser).role !== 'admin') throw new HttpError(403, 'forbidden', 'admin role required');
    next();
  };

  return { resolve, requireUser, requireAdmin };
}
