// Typed RPC errors. Every message names the endpoint by its label (host#hash), never by
// its URL, because provider URLs carry API keys.
import { BaseError, FatalError, RetryableError, ValidationError } from '../../core/errors.js';

/** HTTP status other than 2xx/429 (5xx, 403, ...): cool the endpoint down, retry elsewhere. */
export class RpcHttpError extends RetryableError {
  override readonly code = 'rpc_http';
  constructor(
    readonly endpoint: string,
    /** The endpoint's answer (BaseError.status is the status an API client would get). */
    readonly upstreamStatus: number,
    readonly method: string,
  ) {
    super(`RPC ${method} on ${endpoint}: HTTP ${upstreamStatus}`);
  }
}

/** HTTP 429 (or a JSON-RPC rate-limit error): cool down for Retry-After when given. */
export class RpcRateLimitedError extends RetryableError {
  override readonly code = 'rpc_rate_limited';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly retryAfterMs: number | null,
  ) {
    super(`RPC ${method} on ${endpoint}: rate limited${retryAfterMs !== null ? ` (retry after ${retryAfterMs} ms)` : ''}`);
  }
}

export class RpcTimeoutError extends RetryableError {
  override readonly code = 'rpc_timeout';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`RPC ${method} on ${endpoint}: no answer within ${timeoutMs} ms`);
  }
}

/** Connection refused/reset, DNS failure... Only the error code is kept: causes can quote the URL. */
export class RpcNetworkError extends RetryableError {
  override readonly code = 'rpc_network';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly networkCode: string,
  ) {
    super(`RPC ${method} on ${endpoint}: network error ${networkCode}`);
  }
}

/** A JSON-RPC error object in the answer (other than method-not-found). */
export class RpcJsonRpcError extends RetryableError {
  override readonly code = 'rpc_error';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly rpcCode: number,
    rpcMessage: string,
  ) {
    super(`RPC ${method} on ${endpoint}: error ${rpcCode} ${rpcMessage.slice(0, 200)}`);
  }
}

/** The endpoint does not implement the method (JSON-RPC -32601 or equivalent). */
export class RpcMethodNotFoundError extends BaseError {
  override readonly code = 'rpc_method_not_found';
  constructor(
    readonly endpoint: string,
    readonly method: string,
  ) {
    super(`RPC ${method} is not supported by ${endpoint}`);
  }
}

/**
 * The answer is not valid JSON-RPC or does not match the expected schema. It is never
 * turned into data: the pool treats it as an endpoint failure and retries elsewhere.
 */
export class RpcResponseError extends ValidationError {
  override readonly code = 'rpc_bad_response';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    reason: string,
    details?: unknown,
  ) {
    super(`RPC ${method} on ${endpoint}: malformed response: ${reason}`, details);
  }
}

/** No endpoint has the block yet (all answered null): poll again later. */
export class BlockNotAvailableError extends RetryableError {
  override readonly code = 'rpc_block_not_available';
  constructor(readonly blockNumber: bigint) {
    super(`block ${blockNumber} is not available from any endpoint yet`);
  }
}

/** Block and receipts kept disagreeing (a reorg between the two calls, a lagging node). */
export class BlockBundleInconsistentError extends RetryableError {
  override readonly code = 'rpc_bundle_inconsistent';
  constructor(
    readonly blockNumber: bigint,
    reason: string,
  ) {
    super(`block ${blockNumber}: receipts do not match the block: ${reason}`);
  }
}

/** Misconfiguration: no endpoints, unparsable RPC_LIMITS, a URL that is not http(s). */
export class RpcConfigError extends FatalError {
  override readonly code = 'rpc_config';
}
