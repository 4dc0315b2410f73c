// The one JSON error shape of the API: {error:{code,message,details?}}, with the HTTP status
// derived from typed errors. 500s never carry stacks or internal messages.
import { BaseError, NotFoundError, ValidationError } from '../core/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** Map any thrown value to {status, body, headers}. */
export function toHttpError(e: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const body = (code: string, message: string, details?: unknown): ErrorBody => ({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
  if (e instanceof HttpError) return { status: e.status, body: body(e.code, e.message, e.details), headers: e.headers };
  if (e instanceof ValidationError) return { status: 400, body: body('validation', e.message, e.details), headers: {} };
  if (e instanceof NotFoundError) return { status: 404, body: body('not_found', e.message), headers: {} };
  const obj = e as { status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown; type?: unknown; details?: unknown };
  // body-parser errors (bad JSON, body too large) carry status + type.
  if (obj && typeof obj === 'object' && obj.type === 'entity.too.large') return { status: 413, body: body('payload_too_large', 'request body is too large'), headers: {} };
  if (obj && typeof obj === 'object' && obj.type === 'entity.parse.failed')
    return { status: 400, body: body('bad_json', `request body is not valid JSON: ${String(obj.message)}`), headers: {} };
  const status = typeof obj?.status === 'number' ? obj.status : typeof obj?.statusCode === 'number' ? obj.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500)
    return { status, body: body(typeof obj.code === 'string' ? obj.code : 'bad_request', String(obj.message ?? 'bad request'), obj.details), headers: {} };
  if (status !== undefined && status >= 500 && status < 600 && typeof obj.code === 'string' && status !== 500)
    return { status, body: body(obj.code, String(obj.message ?? 'unavailable')), headers: {} };
  if (e instanceof BaseError && e.retryable) return { status: 503, body: body('unavailable', 'a backing store is unavailable, retry later'), headers: { 'retry-after': '1' } };
  return { status: 500, body: body('internal', 'internal error'), headers: {} };
}
