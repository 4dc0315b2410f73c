// The one readiness evaluation (serving's /ready and every process's /ready).
import { expect, test } from 'vitest';
import { FatalError, StoreUnavailableError } from './errors.js';
import { healthBody, readiness } from './runtime.js';

test('ready only when every check passes and the process is not shutting down', async () => {
  expect(await readiness({ a: () => {}, b: async () => {} }, false)).toEqual({ status: 200, body: { ready: true, checks: { a: { ok: true }, b: { ok: true } } } });
  expect((await readiness({ a: () => {} }, true)).status).toBe(503);
});

test('a failing check names itself and whether its error is the retryable kind', async () => {
  const { status, body } = await readiness(
    {
      store: async () => {
        throw new StoreUnavailableError('Cassandra is unavailable, retry later');
      },
      config: () => {
        throw new FatalError('broken');
      },
      ok: () => {},
    },
    false,
  );
  expect(status).toBe(503);
  expect(body.checks).toEqual({
    store: { ok: false, retryable: true, error: 'Cassandra is unavailable, retry later' },
    config: { ok: false, retryable: false, error: 'broken' },
    ok: { ok: true },
  });
});

test('a check that does not answer in time is a retryable failure', async () => {
  const { status, body } = await readiness({ hung: () => new Promise<void>(() => {}) }, false, 50);
  expect(status).toBe(503);
  expect(body.checks.hung).toMatchObject({ ok: false, retryable: true });
});

test('/health consults nothing', () => {
  expect(healthBody()).toMatchObject({ status: 'ok' });
});
