// The one JSON error shape of the API, {error:{code,message,details?}}, and the one express
// error middleware that renders it (the app and the tests both mount errorMiddleware). The
// status comes from the typed error (core/errors.ts): its own status, else 503 + Retry-After
// when retryable, else 500. 500s never carry stacks or internal messages. The only foreign
// errors mapped are express's own (body-parser, the router's URL decoding).
import type { NextFunction, Request, Response } from 'express';
import { BaseError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** An error raised by a route to answer with this status, stable code and public message. */
export class HttpError extends BaseError {
  override readonly status: number;
  override readonly code: string;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: string,
    message: string,
    readonly details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };
export type HttpErrorResponse = { status: number; body: ErrorBody; headers: Record<string, string> };

const body = (code: string, message: string, details?: unknown): ErrorBody => ({ error: { code, message, ...(details !== undefined ? { details } : {}) } });

/** express's own errors: body-parser's (http-errors with a `type`) and the router's bad %-encoding (URIError, status 400). */
function frameworkError(e: unknown): HttpErrorResponse | null {
  if (!(e instanceof Error)) return null;
  const { type, status } = e as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') return { status: 413, body: body('payload_too_large', 'request body is too large'), headers: {} };
  if (type === 'entity.parse.failed') return { status: 400, body: body('bad_json', `request body is not valid JSON: ${e.message}`), headers: {} };
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) return { status, body: body('bad_request', e.message), headers: {} };
  if (e instanceof URIError && status === 400) return { status: 400, body: body('bad_request', 'the URL is not correctly %-encoded'), headers: {} };
  return null;
}

/** Map any thrown value to {status, body, headers}. */
export function toHttpError(e: unknown): HttpErrorResponse {
  if (e instanceof BaseError) {
    const details = (e as { details?: unknown }).details;
    if (e.status !== undefined && e.status !== 500) return { status: e.status, body: body(e.code, e.message, details), headers: { ...e.headers } };
    if (e.retryable) return { status: 503, body: body('unavailable', 'a backing store is unavailable, retry later'), headers: { 'retry-after': '1', ...e.headers } };
  }
  return frameworkError(e) ?? { status: 500, body: body('internal', 'internal error'), headers: {} };
}

/** The app's last middleware: logs 5xx (with the innermost cause) and renders the error shape. */
export function errorMiddleware(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, body: payload, headers } = toHttpError(err);
    if (status >= 500) {
      const cause = err instanceof BaseError ? err.walk() : undefined;
      log[status === 500 ? 'error' : 'warn']({
        msg: 'Request failed',
        method: req.method,
        path: req.path,
        status,
        err: errorMessage(err),
        ...(cause !== undefined && cause !== err ? { cause: errorMessage(cause) } : {}),
      });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(payload);
  };
}
