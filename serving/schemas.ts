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

// ---- responses (documentation) ----
const uint = z.string().regex(/^\d+$/).describe('uint256 as a decimal string');
const totals = {
  blocks: z.number().int(),
  txs: z.number().int(),
  byClass: z.object({ contract_creation: z.number().int(), native_transfer: z.number().int(), contract_call: z.number().int() }),
  failed: z.number().int(),
  gasUsed: uint,
  fees: uint,
  nativeValue: uint,
  tokenTransfers: z.number().int(),
};
export const statsResponse = z.object({
  from: z.number().int(),
  to: z.number().int(),
  granularity: z.enum(GRANULARITIES),
  horizon: z.number().int().nullable().describe('last block answered from the batch layer'),
  buckets: z.array(z.object({ bucket: z.number().int(), time: z.string(), source: z.enum(['batch', 'speed', 'merged', 'empty']), ...totals })),
  total: z.object(totals),
});
export const rowsResponse = z.object({ items: z.array(z.record(z.string(), z.unknown())) });
export const pageResponse = z.object({ items: z.array(z.record(z.string(), z.unknown())), nextCursor: z.string().nullable() });
export const objectResponse = z.record(z.string(), z.unknown());
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
