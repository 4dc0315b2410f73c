// One JSON-RPC call over HTTP to one endpoint: the POST, its timeout, and the answer turned
// into a validated result or a typed error (HTTP status, 429 + Retry-After, network, JSON-RPC
// error, malformed body). No retries, no choice of endpoint: that is the pool's job
// (speed/rpc/pool.ts). Every thrown error names the endpoint by label, never by URL, and
// every provider string it quotes is scrubbed of configured secrets first (speed/rpc/scrub.ts).
import type { ZodType } from 'zod';
import {
  RpcAuthError,
  RpcHttpError,
  RpcJsonRpcError,
  RpcMethodNotFoundError,
  RpcNetworkError,
  RpcNotAvailableError,
  RpcRateLimitedError,
  RpcResponseError,
  RpcTimeoutError,
} from './errors.js';
import { jsonRpcResponseSchema } from './schemas.js';
import { type Scrub, scrubJson } from './scrub.js';

/** How one attempt ended, as counted in chainlake_rpc_requests_total{outcome}. */
export type RpcOutcome =
  | 'ok'
  | 'rate_limited'
  | 'http_error'
  | 'auth_error'
  | 'timeout'
  | 'network_error'
  | 'rpc_error'
  | 'not_available'
  | 'bad_response'
  | 'method_not_found';

/** The outcome a transport error stands for, or null for anything else (an abort reason). */
export function rpcOutcome(e: unknown): Exclude<RpcOutcome, 'ok'> | null {
  if (e instanceof RpcRateLimitedError) return 'rate_limited';
  if (e instanceof RpcAuthError) return 'auth_error';
  if (e instanceof RpcNotAvailableError) return 'not_available';
  if (e instanceof RpcHttpError) return 'http_error';
  if (e instanceof RpcTimeoutError) return 'timeout';
  if (e instanceof RpcNetworkError) return 'network_error';
  if (e instanceof RpcMethodNotFoundError) return 'method_not_found';
  if (e instanceof RpcJsonRpcError) return 'rpc_error';
  if (e instanceof RpcResponseError) return 'bad_response';
  return null;
}

const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(v) * 1000));
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}

const isMethodNotFound = (code: number, message: string) =>
  code === -32601 || /method .*(not found|does not exist|not available|not supported)|unsupported method|unknown method/i.test(message);
const isRateLimitError = (code: number, message: string) =>
  code === 429 || code === -32005 || /rate.?limit|too many requests|exceeded .*(capacity|limit|quota)|compute units/i.test(message);

/** A key the provider does not accept (some answer HTTP 200 with a JSON-RPC error). */
const isAuthError = (code: number, message: string) =>
  /invalid (api|project|access)[ _-]?(key|id|token)|(api|project)[ _-]?key .*(invalid|expired|disabled|not (found|allowed))|unauthori[sz]ed|must be authenticated|authentication (failed|required)|forbidden/i.test(message) ||
  code === 401 ||
  code === 403;
/** The node lacks the data (yet): a lagging node near the head, or pruned/never there far behind it. */
const isNotAvailable = (code: number, message: string) =>
  code === -32001 || /header not found|receipts? (not|un)(found|available)|resource not found|missing trie node|block not found|unknown block/i.test(message);

export type RpcTarget = { url: string; label: string; headers?: Readonly<Record<string, string>> };

export type RpcTransportOptions = {
  fetchFn?: typeof fetch;
  /** Per-request timeout (RPC_TIMEOUT_MS). */
  timeoutMs?: number;
  /** For Retry-After dates. */
  now?: () => number;
  /** Seconds from sending until the body was read (HTTP 2xx only). */
  onLatency?: (target: RpcTarget, method: string, seconds: number) => void;
  /** Applied to every provider string kept in an error (default: none). */
  scrub?: Scrub;
};

/**
 * Sends one request. Resolves with the (schema-validated) result; rejects with a typed
 * RPC error (see rpcOutcome), or with `signal.reason` when the caller aborted.
 */
export type RpcTransport = <T>(target: RpcTarget, method: string, params: unknown[], schema: ZodType<T> | undefined, signal: AbortSignal) => Promise<T>;

export function createHttpTransport(opts: RpcTransportOptions = {}): RpcTransport {
  const fetchFn = opts.fetchFn ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const scrub = opts.scrub ?? ((t: string) => t);
  let nextId = 1;

  return async function send<T>(target: RpcTarget, method: string, params: unknown[], schema: ZodType<T> | undefined, signal: AbortSignal): Promise<T> {
    const { label } = target;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const both = AbortSignal.any([signal, timeout.signal]);
    const started = performance.now();
    try {
      let text: string;
      try {
        const res = await fetchFn(target.url, {
          method: 'POST',
          headers: { ...target.headers, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
          signal: both,
          keepalive: true,
        });
        if (res.status === 429) {
          await res.body?.cancel().catch(() => {});
          throw new RpcRateLimitedError(label, method, parseRetryAfter(res.headers.get('retry-after'), now()));
        }
        if (res.status === 401 || res.status === 403) {
          await res.body?.cancel().catch(() => {});
          throw new RpcAuthError(label, method, `HTTP ${res.status}`);
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw new RpcHttpError(label, res.status, method);
        }
        text = await res.text();
      } catch (e) {
        if (e instanceof RpcRateLimitedError || e instanceof RpcHttpError || e instanceof RpcAuthError) throw e;
        if (signal.aborted) throw signal.reason;
        if (timeout.signal.aborted) throw new RpcTimeoutError(label, method, timeoutMs);
        const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
        const code = typeof cause?.code === 'string' ? cause.code : e instanceof Error ? e.name : 'unknown';
        throw new RpcNetworkError(label, method, code);
      }
      opts.onLatency?.(target, method, (performance.now() - started) / 1000);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new RpcResponseError(label, method, 'body is not JSON');
      }
      const envelope = jsonRpcResponseSchema.safeParse(json);
      if (!envelope.success) throw new RpcResponseError(label, method, 'not a JSON-RPC response');
      const body = envelope.data;
      if ('error' in body) {
        const { code } = body.error;
        const message = scrub(body.error.message);
        if (isMethodNotFound(code, message)) throw new RpcMethodNotFoundError(label, method);
        if (isRateLimitError(code, message)) throw new RpcRateLimitedError(label, method, null);
        if (isAuthError(code, message)) throw new RpcAuthError(label, method, `error ${code} ${message.slice(0, 200)}`);
        if (isNotAvailable(code, message)) throw new RpcNotAvailableError(label, method, code, message);
        throw new RpcJsonRpcError(label, method, code, message);
      }
      if (!schema) return body.result as T;
      const parsed = schema.safeParse(body.result);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || '(root)';
        const reason = scrub(issue?.message ?? 'invalid');
        throw new RpcResponseError(label, method, `result invalid at ${field}: ${reason}`, undefined, field, scrubJson(body.result, scrub));
      }
      return parsed.data;
    } finally {
      clearTimeout(timer);
    }
  };
}
