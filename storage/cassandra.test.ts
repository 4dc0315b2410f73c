// The driver-boundary error table (pure: driver error objects, no node).
import cassandra from 'cassandra-driver';
import { expect, test } from 'vitest';
import { RetryableError, StoreUnavailableError, ValidationError, isRetryable } from '../core/errors.js';
import { CassandraQueryError, classifyCassandraError, classifyErrors } from './cassandra.js';

const { errors, types } = cassandra;
const codes = types.responseErrorCodes;

test('unreachable, timed out, overloaded, unavailable, bootstrapping, read/write timeouts are retryable 503s', () => {
  const transient: unknown[] = [
    new errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED 127.0.0.1:9042') }),
    new errors.OperationTimedOutError('The host 127.0.0.1:9042 did not reply before timeout 12000 ms'),
    new errors.BusyConnectionError('127.0.0.1:9042', 2048, 2),
    ...[codes.unavailableException, codes.overloaded, codes.isBootstrapping, codes.writeTimeout, codes.readTimeout].map((c) => new errors.ResponseError(c, 'not now')),
    Object.assign(new Error('Socket was closed'), { isSocketError: true }),
    new Error('connect ECONNREFUSED 127.0.0.1:9042'),
  ];
  for (const e of transient) {
    const c = classifyCassandraError(e);
    expect(c, String(e)).toBeInstanceOf(StoreUnavailableError);
    expect(isRetryable(c)).toBe(true);
    expect(c.status).toBe(503);
    expect(c.headers['retry-after']).toMatch(/^\d+$/);
    expect(c.message).not.toMatch(/127\.0\.0\.1/); // public: the driver's text stays in cause
    expect(c.cause).toBe(e);
  }
});

test('syntax, invalid, unauthorized and other driver errors are fatal and keep their message', () => {
  for (const c of [codes.syntaxError, codes.invalid, codes.unauthorized, codes.configError, codes.alreadyExists]) {
    const e = classifyCassandraError(new errors.ResponseError(c, 'unconfigured table nope'));
    expect(e).toBeInstanceOf(CassandraQueryError);
    expect(e.retryable).toBe(false);
    expect(e.status).toBeUndefined();
    expect(e.message).toMatch(/unconfigured table nope/);
  }
  expect(classifyCassandraError(new errors.ArgumentError('Queries should be an Array'))).toBeInstanceOf(CassandraQueryError);
});

test('our own typed errors pass through unchanged', () => {
  const own = [new ValidationError('bad'), new RetryableError('later')];
  for (const e of own) expect(classifyCassandraError(e)).toBe(e);
});

test('behavior: a later page of a paged result fails classified too (for await fetches it through nextPageAsync, not execute)', async () => {
  const lost = new errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED 127.0.0.1:9042') });
  const page = (n: number): Record<string, unknown> => ({ n, nextPageAsync: n < 2 ? async () => page(n + 1) : async () => Promise.reject(lost) });
  const fake = { execute: async () => page(1), batch: async () => ({}), eachRow: () => undefined, stream: () => ({ emit: () => true }) };
  const client = classifyErrors(fake as unknown as cassandra.Client);
  const first = (await client.execute('SELECT 1')) as unknown as { nextPageAsync: (s: unknown) => Promise<{ n: number; nextPageAsync: (s: unknown) => Promise<unknown> }> };
  const second = await first.nextPageAsync('state');
  expect(second.n).toBe(2);
  const failed = await second.nextPageAsync('state').catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(StoreUnavailableError);
  expect((failed as StoreUnavailableError).cause).toBe(lost);
});
