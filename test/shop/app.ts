// A bare express app for the shop tests: express.json(), the shop plugin mounted at /api/v1
// and the production error middleware (serving/http-errors.ts), as serving/app.ts mounts it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { createShutdown } from '../../core/shutdown.js';
import { errorMiddleware } from '../../serving/http-errors.js';
import { shopPlugin } from '../../shop/plugin.js';
import type { ShopTestEnv } from './env.js';

export type ShopTestApp = {
  url: string;
  close: () => Promise<void>;
  /** fetch JSON with an optional session token; returns status, headers and parsed body. */
  call: (method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; headers: Headers; body: any }>;
};

export async function startShopApp(env: ShopTestEnv): Promise<ShopTestApp> {
  const app = express();
  app.use(express.json());
  const api = express.Router();
  shopPlugin(env.store).mount({ router: api, common: { config: env.config, logger: env.logger, metrics: new Registry(), shutdown: createShutdown(env.logger, { installSignalHandlers: false }) } });
  app.use('/api/v1', api);
  app.use(errorMiddleware(env.logger));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  return {
    url,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    call: async (method, path, opts = {}) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers['x-session-token'] = opts.token;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
    },
  };
}

/** Creates a user directly in the store (admins cannot self-register) and logs in through the API. */
export async function loginAs(env: ShopTestEnv, app: ShopTestApp, email: string, role: 'user' | 'admin' = 'user'): Promise<{ token: string; userId: string }> {
  const { hashPassword } = await import('../../shop/auth.js');
  const password = `pw-${email}-secret`;
  const user = await env.store.createUser({ email, name: email.split('@')[0] ?? '', role, passwordHash: await hashPassword(password) });
  if (!user) throw new Error(`user ${email} exists`);
  const res = await app.call('POST', '/users/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return { token: res.body.token as string, userId: user.id };
}
