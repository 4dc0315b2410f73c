import { expect, test } from 'vitest';
import { FatalError, NotFoundError, RetryableError, StoreUnavailableError, ValidationError } from '../core/errors.js';
import { HttpError, toHttpError } from './http-errors.js';

test('maps typed errors to statuses and the one error shape', () => {
  expect(toHttpError(new ValidationError('bad x', [{ path: 'x' }]))).toMatchObject({ status: 400, body: { error: { code: 'validation', message: 'bad x', details: [{ path: 'x' }] } } });
  expect(toHttpError(new NotFoundError('no block'))).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  expect(toHttpError(new HttpError(429, 'rate_limited', 'slow down', undefined, { 'retry-after': '2' }))).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
  expect(toHttpError(new RetryableError('cassandra down'))).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  expect(toHttpError(new StoreUnavailableError('Cassandra is unavailable, retry later', { retryAfterSeconds: 2 }))).toEqual({
    status: 503,
    body: { error: { code: 'unavailable', message: 'Cassandra is unavailable, retry later' } },
    headers: { 'retry-after': '2' },
  });
  expect(toHttpError(new FatalError('disk on fire at /srv/x'))).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error' } }, headers: {} });
});

test('a status is read from typed errors only: a duck-typed status on a plain object or Error is a 500', () => {
  expect(toHttpError({ status: 409, code: 'conflict', message: 'exists' })).toMatchObject({ status: 500, body: { error: { code: 'internal' } } });
  expect(toHttpError(Object.assign(new Error('exists'), { status: 409, code: 'conflict' }))).toMatchObject({ status: 500 });
});

test("express's own errors: body-parser's and the router's URL decoding", () => {
  const parse = Object.assign(new SyntaxError('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
  expect(toHttpError(parse)).toMatchObject({ status: 400, body: { error: { code: 'bad_json' } } });
  expect(toHttpError(Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large' }))).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  expect(toHttpError(Object.assign(new URIError('URI malformed'), { status: 400 }))).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
});

test('a 500 never leaks the internal message or stack', () => {
  const e = new Error('connect failed: password=hunter2 at /srv/secret');
  const { status, body } = toHttpError(e);
  expect(status).toBe(500);
  expect(JSON.stringify(body)).not.toMatch(/hunter2|secret|at \//);
  expect(body).toEqual({ error: { code: 'internal', message: 'internal error' } });
});
