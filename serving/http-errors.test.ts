import { expect, test } from 'vitest';
import { NotFoundError, RetryableError, ValidationError } from '../core/errors.js';
import { HttpError, toHttpError } from './http-errors.js';

test('maps typed errors to statuses and the one error shape', () => {
  expect(toHttpError(new ValidationError('bad x', [{ path: 'x' }]))).toMatchObject({ status: 400, body: { error: { code: 'validation', message: 'bad x', details: [{ path: 'x' }] } } });
  expect(toHttpError(new NotFoundError('no block'))).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  expect(toHttpError(new HttpError(429, 'rate_limited', 'slow down', undefined, { 'retry-after': '2' }))).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
  expect(toHttpError({ status: 409, code: 'conflict', message: 'exists' })).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  expect(toHttpError(new RetryableError('cassandra down'))).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
});

test('a 500 never leaks the internal message or stack', () => {
  const e = new Error('connect failed: password=hunter2 at /srv/secret');
  const { status, body } = toHttpError(e);
  expect(status).toBe(500);
  expect(JSON.stringify(body)).not.toMatch(/hunter2|secret|at \//);
  expect(body).toEqual({ error: { code: 'internal', message: 'internal error' } });
});
