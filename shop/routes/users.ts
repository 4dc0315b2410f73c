// /users: register, login (scrypt-verified; returns a random session token stored hashed
// with TTL SESSION_TTL_SECONDS), logout, me.
import { Router } from 'express';
import { z } from 'zod';
import { hashPassword, hashToken, newSessionToken, verifyPassword } from '../auth.js';
import type { UserRecord } from '../model.js';
import { type createAuth, sessionTokenOf } from './auth.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import { sessionUser, type ShopContext } from './context.js';
import { HttpError } from '../../serving/http-errors.js';

export const RegisterInput = z
  .object({
    email: z.email().max(254),
    password: z.string().min(8, 'at least 8 characters').max(200),
    name: z.string().trim().max(200).default(''),
  })
  .strict();
export const LoginInput = z.object({ email: z.email().max(254), password: z.string().min(1).max(200) }).strict();
export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(['user', 'admin', 'service']), createdAt: z.string().optional() });
export const Session = z.object({ token: z.string(), expiresAt: z.string(), user: User });

export const userRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/users/register', summary: 'Create a shop user (role user)', request: RegisterInput, response: User },
  { method: 'post', path: '/users/login', summary: 'Log in; returns a session token for x-session-token / Authorization: Bearer', request: LoginInput, response: Session },
  { method: 'post', path: '/users/logout', summary: 'End the current session', auth: 'session' },
  { method: 'get', path: '/users/me', summary: 'The logged-in user', auth: 'session', response: User },
];

const userJson = (u: Pick<UserRecord, 'id' | 'email' | 'name' | 'role'> & { createdAt?: Date }) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  ...(u.createdAt ? { createdAt: u.createdAt.toISOString() } : {}),
});

// A fixed hash checked when the e-mail is unknown, so both failure paths cost one scrypt.
const DUMMY_HASH = hashPassword('not-a-real-password');

export function usersRouter(ctx: ShopContext, auth: ReturnType<typeof createAuth>): Router {
  const r = Router();

  r.post('/users/register', async (req, res) => {
    const input = parse(RegisterInput, req.body, 'body');
    const user = await ctx.store.createUser({ email: input.email, name: input.name, role: 'user', passwordHash: await hashPassword(input.password) });
    if (!user) throw new HttpError(409, 'email_taken', 'an account with this e-mail already exists');
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action: 'user.register', entity: 'user', entityId: user.id, details: { email: user.email } });
    res.status(201).json(userJson(user));
  });

  r.post('/users/login', async (req, res) => {
    const input = parse(LoginInput, req.body, 'body');
    const user = await ctx.store.getUserByEmail(input.email);
    const ok = user?.passwordHash ? await verifyPassword(input.password, user.passwordHash) : (await verifyPassword(input.password, await DUMMY_HASH), false);
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'wrong e-mail or password');
    const token = newSessionToken();
    const { expiresAt } = await ctx.store.createSession(hashToken(token), user.id, ctx.config.SESSION_TTL_SECONDS);
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action: 'user.login', entity: 'session', entityId: hashToken(token).slice(0, 12), details: {} });
    res.json({ token, expiresAt: expiresAt.toISOString(), user: userJson(user) });
  });

  r.post('/users/logout', auth.requireUser, async (req, res) => {
    const token = sessionTokenOf(req)!;
    await ctx.store.deleteSession(hashToken(token));
    const user = sessionUser(res);
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action: 'user.logout', entity: 'session', entityId: hashToken(token).slice(0, 12), details: {} });
    res.status(204).end();
  });

  r.get('/users/me', auth.requireUser, (_req, res) => {
    res.json(userJson(sessionUser(res)));
  });

  return r;
}
