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
 * turned into data. Without `field` (not JSON, not JSON-RPC: a proxy's error page) the pool
 * treats it as an endpoint failure; with `field` (a well-formed answer whose result fails
 * the schema) it is the data, not the endpoint, and the pool asks another endpoint, then
 * gives up with RpcInvalidAnswerError (speed/rpc/pool.ts).
 */
export class RpcResponseError extends ValidationError {
  override readonly code = 'rpc_bad_response';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly reason: string,
    details?: unknown,
    /** Path of the first invalid field of the result ("transactions.0.from"), when the envelope was fine. */
    readonly field?: string,
    /** The provider's original `result` (scrubbed of secrets), for the DLQ. */
    readonly raw?: unknown,
  ) {
    super(`RPC ${method} on ${endpoint}: malformed response: ${reason}`, details);
  }
}

/**
 * HTTP 401/403 or a JSON-RPC "invalid/expired API key": retrying cannot help. The pool
 * disables the endpoint for the life of the process.
 */
export class RpcAuthError extends FatalError {
  override readonly code = 'rpc_auth';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    /** "HTTP 401" or the scrubbed JSON-RPC error. */
    readonly why: string,
  ) {
    super(`RPC ${method} on ${endpoint}: the provider refused the credentials (${why})`);
  }
}

/** Every endpoint was disabled (RpcAuthError): nothing is left to ask. */
export class RpcEndpointsDisabledError extends FatalError {
  override readonly code = 'rpc_all_disabled';
  constructor(readonly reasons: { endpoint: string; why: string }[]) {
    super(
      `every RPC endpoint refused its credentials (${reasons.map((r) => `${r.endpoint}: ${r.why}`).join('; ')}); check the keys in ETH_RPC_URLS / ETH_RPC_HEADERS`,
    );
  }
}

/**
 * The same well-formed but invalid answer came back N times, from every endpoint asked:
 * the data does not fit our schema, and asking again will not change it.
 */
export class RpcInvalidAnswerError extends FatalError {
  override readonly code = 'rpc_invalid_answer';
  constructor(
    readonly method: string,
    /** The endpoints (labels) that gave the answer. */
    readonly endpoints: string[],
    readonly field: string,
    readonly reason: string,
    readonly attempts: number,
    /** The provider's original result (scrubbed), for the DLQ. */
    readonly raw: unknown,
  ) {
    super(`RPC ${method}: invalid answer at ${field} (${reason}), ${attempts} times from ${endpoints.join(', ')}`);
  }
}

/**
 * A JSON-RPC error that says the node does not have the data (yet): -32001 "resource not
 * found", "header not found", "receipts not available". Near the head that is a lagging
 * node; far behind it, the node never will (block-bundle decides).
 */
export class RpcNotAvailableError extends RetryableError {
  override readonly code = 'rpc_not_available';
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly rpcCode: number,
    rpcMessage: string,
  ) {
    super(`RPC ${method} on ${endpoint}: not available (${rpcCode} ${rpcMessage.slice(0, 200)})`);
  }
}

/** A block far behind the head whose receipts no endpoint has (null, [] or "not found"). */
export class ReceiptsMissingError extends FatalError {
  override readonly code = 'rpc_receipts_missing';
  constructor(
    readonly blockNumber: bigint,
    readonly endpoints: string[],
    readonly head: bigint,
    readonly why: string,
  ) {
    super(`block ${blockNumber}: no receipts from ${endpoints.join(', ')} (${why}) although the head is ${head}; the node will not have them`);
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
