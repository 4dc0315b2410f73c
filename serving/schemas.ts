// zod schemas of every request the chain API accepts (they validate requests AND generate
// the OpenAPI document), plus response schemas for the docs.
import { z } from 'zod';
import { GRANULARITIES, GRANULARITY_SECONDS } from './merge.js';

export const MAX_BUCKETS = 10_080; // one week of minutes
export const MAX_PAGE = 500;
export const MAX_BLOCK_SPAN = 10_000;

const lowerHex = (re: RegExp, what: string) =>
  z
    .string()
    .trim()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(re, `expected ${what}`));

export const hashParam = lowerHex(/^0x[0-9a-f]{64}$/, 'a 0x-prefixed 32-byte hex hash');
export const addressParam = lowerHex(/^0x[0-9a-f]{40}$/, 'a 0x-prefixed 20-byte hex address');

/** Unix seconds, or an ISO-8601 date/time. */
const instant = z
  .union([z.string().regex(/^\d{1,12}$/), z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s, ctx) => {
    if (/^\d+$/.test(s)) return Number(s);
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'not a valid date' });
      return z.NEVER;
    }
    return Math.floor(ms / 1000);
  })
  .describe('unix seconds or ISO-8601 date/time');

export const statsQuery = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    granularity: z.enum(GRANULARITIES).default('hour').describe('bucket size'),
  })
  .strict()
  .transform((q, ctx) => {
    const to = q.to ?? Math.floor(Date.now() / 1000);
    const from = q.from ?? to - 86400;
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: '`from` must be before `to`' });
    const buckets = Math.ceil((to - from) / GRANULARITY_SECONDS[q.granularity]);
    if (buckets > MAX_BUCKETS)
      ctx.addIssue({ code: 'custom', path: ['granularity'], message: `range has ${buckets} ${q.granularity} buckets; at most ${MAX_BUCKETS} (use a coarser granularity)` });
    return { from, to, granularity: q.granularity };
  });

export const rankQuery = z
  .object({
    day: z.iso.date().optional().describe('UTC day YYYY-MM-DD (default: today)'),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .strict();

export const tokenVolumeQuery = rankQuery.extend({ token: addressParam.optional() }).strict();

export const latestQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

export const blockSeriesQuery = z
  .object({
    fromBlock: z.coerce.number().int().nonnegative(),
    toBlock: z.coerce.number().int().nonnegative(),
  })
  .strict()
  .refine((q) => q.fromBlock <= q.toBlock, { message: '`fromBlock` must be ≤ `toBlock`', path: ['fromBlock'] })
  .refine((q) => q.toBlock - q.fromBlock < MAX_BLOCK_SPAN, { message: `at most ${MAX_BLOCK_SPAN} blocks per request`, path: ['toBlock'] });

export const blockIdParam = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase())
  .pipe(z.union([z.string().regex(/^\d{1,15}$/).transform((s) => ({ number: Number(s) })), z.string().regex(/^0x[0-9a-f]{64}$/).transform((s) => ({ hash: s }))]))
  .describe('block number (decimal) or block hash');

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
    cursor: z.string().max(1000).regex(/^[A-Za-z0-9_=-]+$/, 'malformed cursor').optional(),
  })
  .strict();

export const tokenTransfersQuery = pageQuery
  .extend({ token: addressParam.optional(), address: addressParam.optional() })
  .strict()
  .refine((q) => q.token !== undefined || q.address !== undefined, { message: 'give `token` or `address`', path: ['token'] });

export const runsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();

export const sqlBody = z.object({ sql: z.string().min(1).max(20_000).describe('one SELECT or WITH … SELECT statement') }).strict();

// ---- responses (published as the 200 schemas of /openapi.json; test/serving/api.test.ts validates real answers) ----
const uint = z.string().regex(/^\d+$/).describe('uint256 as a decimal string');
const int = z.number().int();
const unixSeconds = int.describe('unix seconds');
const hex = z.string().regex(/^0x[0-9a-f]*$/);
const cursor = z.string().nullable().describe('pass back unchanged for the next page; null on the last page');
const totals = {
  blocks: int,
  txs: int,
  byClass: z.object({ contract_creation: int, native_transfer: int, contract_call: int }),
  failed: int.describe('failed transactions (status 0)'),
  unknown: int.describe('transactions of unknown status (receipt without status, before Byzantium)'),
  gasUsed: uint,
  fees: uint,
  nativeValue: uint,
  tokenTransfers: int,
};
export const statsResponse = z.object({
  from: int,
  to: int,
  granularity: z.enum(GRANULARITIES),
  horizon: int.nullable().describe('last block answered from the batch layer'),
  batchVersion: z.string().nullable().describe('batch version the batch rows came from'),
  buckets: z.array(z.object({ bucket: int, time: z.string(), source: z.enum(['batch', 'speed', 'merged', 'empty']), ...totals })),
  total: z.object(totals),
});
export const block = z.object({
  number: int,
  hash: hex,
  parentHash: hex,
  timestamp: unixSeconds,
  txCount: int,
  gasUsed: uint,
  gasLimit: uint,
  baseFeePerGas: uint.nullable(),
  miner: hex,
});
export const latestBlocksResponse = z.object({ items: z.array(block) });
export const blockSeriesResponse = z.object({
  horizon: int.nullable().describe('last block answered from the batch layer'),
  items: z.array(z.object({ number: int, timestamp: unixSeconds, txs: int, gasUsed: uint, fees: uint, baseFeePerGas: uint.nullable(), source: z.enum(['batch', 'speed']) })),
});
export const txResponse = z.object({
  hash: hex,
  blockNumber: int,
  blockHash: hex,
  transactionIndex: int,
  timestamp: unixSeconds,
  from: hex,
  to: hex.nullable(),
  value: uint,
  txClass: z.string(),
  selector: hex.nullable(),
  method: z.string().nullable(),
  args: z.record(z.string(), z.string()).nullable().describe('decoded arguments of a known method'),
  status: int.nullable().describe('1 success, 0 failure, null unknown (receipt without status, before Byzantium)'),
  gas: uint,
  gasPrice: uint.nullable(),
  maxFeePerGas: uint.nullable(),
  maxPriorityFeePerGas: uint.nullable(),
  gasUsed: uint,
  effectiveGasPrice: uint,
  fee: uint,
  contractAddress: hex.nullable(),
  nonce: int,
  type: int,
  inputSize: int,
  logCount: int,
  executionFee: uint.nullable().describe('gas part of fee (gasUsed × effectiveGasPrice); null for rows written before it was kept'),
  dataFee: uint.nullable().describe('data part of fee: blob fee (Ethereum) or L1 data fee (OP stack); null for rows written before it was kept'),
  extra: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable().describe('the chain family fields of the tx (docs/chain-families.md), null for plain Ethereum txs'),
});
const addressTx = z.object({
  txHash: hex,
  blockNumber: int,
  blockHash: hex,
  transactionIndex: int,
  side: z.enum(['from', 'to', 'created']),
  timestamp: unixSeconds,
  counterparty: hex.nullable(),
  value: uint,
  txClass: z.string(),
  method: z.string().nullable(),
  status: int.nullable().describe('1 success, 0 failure, null unknown'),
  fee: uint,
});
export const addressHistoryResponse = z.object({ items: z.array(addressTx), nextCursor: cursor, sources: z.array(z.enum(['speed', 'lake'])).describe('layers this page came from') });
const transfer = z.object({
  txHash: hex,
  blockNumber: int,
  blockHash: hex,
  logIndex: int,
  token: hex,
  from: hex,
  to: hex,
  amount: uint,
  timestamp: unixSeconds,
  side: z.enum(['from', 'to']).optional().describe('only for queries by address: the side the address is on'),
});
export const tokenTransfersResponse = z.object({ items: z.array(transfer), nextCursor: cursor });
const day = z.iso.date().describe('UTC day');
export const topSendersResponse = z.object({ day, items: z.array(z.object({ rank: int, address: hex, txs: int, fees: uint, value: uint })) });
export const topContractsResponse = z.object({ day, items: z.array(z.object({ rank: int, address: hex, calls: int, callers: int, gasUsed: uint })) });
export const tokenVolumeResponse = z.object({
  day,
  items: z.array(z.object({ day, token: hex, transfers: int, amount: uint, senders: int, receivers: int })),
});
const batchRun = z.object({
  id: z.string(),
  kind: z.string(),
  trigger: z.string(),
  started: z.string().describe('ISO time'),
  finished: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed', 'skipped']),
  rowsIn: int.nullable(),
  rowsOut: int.nullable(),
  horizon: int.nullable(),
  version: z.string().nullable(),
  error: z.string().nullable(),
});
export const runsResponse = z.object({ items: z.array(batchRun) });
export const recomputeResponse = z.object({ requested: z.literal(true), request: z.object({ id: z.string(), requestedBy: z.string() }) });
export const freshnessResponse = z.object({
  chainHead: int.nullable().describe('newest block ingest published'),
  speed: z.object({ lastBlock: int.nullable(), lastBlockTimestamp: unixSeconds.nullable(), lagBlocks: int.nullable(), lagSeconds: int.nullable(), writtenAt: int.nullable().describe('unix ms of the last views checkpoint') }),
  batch: z.object({ horizon: int.nullable(), version: z.string().nullable(), createdAt: int.nullable().describe('unix ms'), lagBlocks: int.nullable() }),
  lastBatchRun: batchRun.nullable(),
});
export const sqlViewsResponse = z.object({ views: z.array(z.string()) });
export const sqlResponse = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.record(z.string(), z.unknown())),
  rowCount: z.number().int(),
  elapsedMs: z.number(),
});
export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
export const opsResponse = z.object({
  rpc: z
    .array(
      z.object({
        endpoint: z.string().describe('endpoint label (host#<8 hex of the URL hash>); never the URL, which may hold an API key'),
        day: z.iso.date().describe('UTC day'),
        requests: z.number().int(),
        errors: z.number().int(),
        rateLimited: z.number().int().describe('HTTP 429 answers'),
        lastUsed: z.string().nullable().describe('ISO time of the last request'),
        coolingUntil: z.string().nullable().describe('ISO time until which ingest keeps this endpoint cooling down after 429s, 5xx or timeouts'),
        coolingDown: z.boolean().describe('coolingUntil is in the future'),
        dailyQuota: z.number().int().optional().describe('requests per UTC day (absent: unknown to serving)'),
      }),
    )
    .describe("today's RPC usage per endpoint label, summed over ingest processes (table rpc_usage)"),
  consumers: z
    .array(
      z.object({
        group: z.string(),
        topic: z.string(),
        partition: z.number().int(),
        committedOffset: z.number().int().describe('next offset the group will read; -1 = nothing committed'),
        endOffset: z.number().int().describe('high watermark'),
        lag: z.number().int().describe('endOffset − committedOffset (endOffset when nothing is committed)'),
      }),
    )
    .describe('Kafka lag of the views and compact consumer groups on the block topic'),
});
