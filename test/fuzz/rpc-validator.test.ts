// Property-based: malformed JSON-RPC blocks/receipts never become data. Through the real
// pool (createRpcPool) with a scripted fetch: every malformed answer is an RpcResponseError,
// and getBlockBundle only ever returns the well-formed answer that followed a malformed one.
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import {
  type Clock,
  createRpcPool,
  makeEndpoint,
  RpcResponseError,
  rpcBlockOrNullSchema,
  rpcBlockSchema,
  rpcReceiptsOrNullSchema,
  rpcReceiptsSchema,
} from '../../speed/rpc/index.js';

// ---------- arbitraries: well-formed shapes ----------
const hexChars = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n });
const hash = hexChars(64).map((s) => `0x${s}`);
const address = hexChars(40).map((s) => `0x${s}`);
const qty = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((n) => `0x${n.toString(16)}`);
const smallQty = fc.integer({ min: 0, max: 1_000_000 }).map((n) => `0x${n.toString(16)}`);
const data = fc.uint8Array({ maxLength: 40 }).map((b) => `0x${Buffer.from(b).toString('hex')}`);

const tx = fc.record({
  hash,
  blockHash: fc.option(hash),
  blockNumber: fc.option(smallQty),
  transactionIndex: smallQty,
  from: address,
  to: fc.option(address),
  value: qty,
  nonce: smallQty,
  type: fc.option(fc.constantFrom('0x0', '0x1', '0x2')),
  gas: qty,
  gasPrice: fc.option(qty),
  maxFeePerGas: fc.option(qty),
  maxPriorityFeePerGas: fc.option(qty),
  input: data,
});
const block = fc.record({
  number: smallQty,
  hash,
  parentHash: hash,
  timestamp: smallQty,
  miner: address,
  gasUsed: qty,
  gasLimit: qty,
  baseFeePerGas: fc.option(qty),
  transactions: fc.array(tx, { maxLength: 3 }),
});
const log = fc.record({
  address,
  topics: fc.array(hash, { maxLength: 4 }),
  data,
  logIndex: smallQty,
  transactionHash: hash,
  transactionIndex: fc.option(smallQty),
  blockNumber: smallQty,
  blockHash: fc.option(hash),
});
const receipt = fc.record({
  transactionHash: hash,
  transactionIndex: smallQty,
  blockHash: hash,
  blockNumber: smallQty,
  from: address,
  to: fc.option(address),
  status: fc.option(fc.constantFrom('0x0', '0x1')),
  gasUsed: qty,
  effectiveGasPrice: fc.option(qty),
  contractAddress: fc.option(address),
  logs: fc.array(log, { maxLength: 3 }),
});

// ---------- malformed values and structural mutations ----------
const badHex = fc.oneof(
  fc.constant('0x'),
  fc.constant(''),
  fc.constant('0xzz'),
  fc.constant('0X1'),
  fc.constant('1234'),
  fc.constant(' 0x1'),
  fc.constant('0x1 '),
  fc.constant('0x-1'),
  fc.constant('-0x1'),
  fc.constant('0x1.5'),
  fc.string({ maxLength: 12 }).filter((s) => !/^0x[0-9a-fA-F]+$/.test(s)),
  fc.tuple(hexChars(40), fc.constantFrom('g', 'Z', ' ', '\u0000', 'é')).map(([h, c]) => `0x${h}${c}`),
);
/** Wrong lengths: invalid for hashes, addresses and byte strings (not for quantities, which may be padded). */
const badLength = fc.oneof(
  hexChars(63).map((s) => `0x${s}`),
  hexChars(65).map((s) => `0x${s}`),
  hexChars(39).map((s) => `0x${s}`),
  hexChars(41).map((s) => `0x${s}`),
  hexChars(3).map((s) => `0x${s}`),
);
const wrongType = fc.oneof(
  fc.constant(1e308),
  fc.constant(2 ** 64),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const badValue = fc.oneof(badHex, wrongType);

const REQUIRED_BLOCK = ['number', 'hash', 'parentHash', 'timestamp', 'miner', 'gasUsed', 'gasLimit', 'transactions'] as const;
const REQUIRED_TX = ['hash', 'transactionIndex', 'from', 'value', 'nonce', 'gas', 'input'] as const;
const REQUIRED_RECEIPT = ['transactionHash', 'transactionIndex', 'blockHash', 'blockNumber', 'from', 'gasUsed', 'logs'] as const;
const REQUIRED_LOG = ['address', 'topics', 'data', 'logIndex', 'transactionHash', 'blockNumber'] as const;

type Obj = Record<string, unknown>;
type Mutation = { kind: 'delete' | 'set'; field: string; value?: unknown };
/** A mutation that makes an object invalid: drop a required field, or set any field (incl. optional ones) to a bad value. */
const mutation = (required: readonly string[], all: readonly string[], fixed: readonly string[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), field: fc.constantFrom(...required) }),
    // (an empty array is a valid value for array fields such as topics/logs, so it is not a bad value)
    fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...required), value: fc.oneof(badValue.filter((v) => !(Array.isArray(v) && v.length === 0)), fc.constant(null)) }),
    // optional (nullish) fields accept null/absent but never a malformed value
    fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...all), value: badValue.filter((v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) }),
    // fixed-size fields (hashes, addresses) and byte strings with a wrong length
    ...(fixed.length > 0 ? [fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...fixed), value: badLength })] : []),
  );
const apply = (o: Obj, m: Mutation): Obj => {
  const c = { ...o };
  if (m.kind === 'delete') delete c[m.field];
  else c[m.field] = m.value;
  return c;
};
const BLOCK_FIELDS = [...REQUIRED_BLOCK, 'baseFeePerGas'];
const TX_FIELDS = [...REQUIRED_TX, 'blockHash', 'blockNumber', 'to', 'type', 'gasPrice', 'maxFeePerGas', 'maxPriorityFeePerGas'];
const RECEIPT_FIELDS = [...REQUIRED_RECEIPT, 'to', 'status', 'effectiveGasPrice', 'contractAddress'];
const LOG_FIELDS = [...REQUIRED_LOG, 'transactionIndex', 'blockHash'];

/** A valid block with exactly one malformed spot: the block itself, one tx, or a non-array transactions list. */
const malformedBlock = fc.oneof(
  fc.tuple(block, mutation(REQUIRED_BLOCK, BLOCK_FIELDS, ['hash', 'parentHash', 'miner'])).map(([b, m]) => apply(b as Obj, m)),
  fc.tuple(block.filter((b) => b.transactions.length > 0), mutation(REQUIRED_TX, TX_FIELDS, ['hash', 'blockHash', 'from', 'to', 'input']), fc.nat()).map(([b, m, i]) => {
    const txs = [...b.transactions] as Obj[];
    const at = i % txs.length;
    txs[at] = apply(txs[at]!, m);
    return { ...b, transactions: txs } as Obj;
  }),
  // transaction hashes only (eth_getBlockByNumber(n, false)) are rejected
  fc.tuple(block, fc.array(hash, { minLength: 1, maxLength: 3 })).map(([b, hs]) => ({ ...b, transactions: hs }) as Obj),
  fc.tuple(block, fc.oneof(fc.constant(null), fc.constant('0x'), fc.constant({}))).map(([b, v]) => ({ ...b, transactions: v }) as Obj),
  fc.oneof(wrongType, badHex).map((v) => v as unknown as Obj),
);
const malformedReceipts = fc.oneof(
  fc.tuple(fc.array(receipt, { minLength: 1, maxLength: 3 }), mutation(REQUIRED_RECEIPT, RECEIPT_FIELDS, ['transactionHash', 'blockHash', 'from', 'to', 'contractAddress']), fc.nat()).map(([rs, m, i]) => {
    const out = [...rs] as Obj[];
    out[i % out.length] = apply(out[i % out.length]!, m);
    return out as unknown;
  }),
  fc.tuple(receipt.filter((r) => r.logs.length > 0), mutation(REQUIRED_LOG, LOG_FIELDS, ['address', 'data', 'transactionHash', 'blockHash'])).map(([r, m]) => [{ ...r, logs: [apply(r.logs[0] as Obj, m), ...r.logs.slice(1)] }] as unknown),
  fc.tuple(receipt, fc.oneof(badHex, badLength)).map(([r, h]) => [{ ...r, logs: [{ address: r.from, topics: [h], data: '0x', logIndex: '0x0', transactionHash: r.transactionHash, blockNumber: r.blockNumber }] }] as unknown),
  receipt.map((r) => r as unknown), // an object where an array is expected
  // JSON cannot carry NaN/±Infinity: they arrive as null, the valid "no such block" answer.
  wrongType.filter((v) => (!Array.isArray(v) || v.length > 0) && JSON.stringify(v) !== 'null'),
);

// ---------- the pool with a scripted fetch ----------
const instantClock = (): Clock => {
  let now = Date.UTC(2026, 0, 10, 12);
  return { now: () => now, sleep: async (ms) => { now += ms; await new Promise((r) => setImmediate(r)); } };
};
type Script = (method: string, params: unknown[], call: number) => { raw: string } | { result: unknown };
function poolWith(script: Script) {
  let calls = 0;
  const fetchFn = (async (_url: string, init?: RequestInit) => {
    const { method, params, id } = JSON.parse(String(init?.body)) as { method: string; params: unknown[]; id: number };
    const r = script(method, params, ++calls);
    const text = 'raw' in r ? r.raw : JSON.stringify({ jsonrpc: '2.0', id, result: r.result });
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  const pool = createRpcPool({
    endpoints: [makeEndpoint('http://rpc.invalid/v2/key', { rps: 1_000_000, dailyQuota: 0, weight: 1 })],
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    clock: instantClock(),
    fetchFn,
    random: () => 0.5,
    timeoutMs: 1000,
    cooldownBaseMs: 1,
    cooldownMaxMs: 2,
  });
  return { pool, calls: () => calls };
}

/** Resolves to the error, or fails the property if the call returned data. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    const v = await p;
    throw new Error(`malformed answer was returned as data: ${JSON.stringify(v)?.slice(0, 300)}`);
  } catch (e) {
    return e;
  }
}

const lowerStrings = (v: unknown): unknown =>
  typeof v === 'string' ? v.toLowerCase() : Array.isArray(v) ? v.map(lowerStrings) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lowerStrings(x)])) : v;

describe('RPC response validation (property-based)', () => {
  test('well-formed blocks and receipts pass the schemas and come back through the pool lowercased', async () => {
    await fc.assert(
      fc.asyncProperty(block, fc.array(receipt, { maxLength: 3 }), async (b, rs) => {
        expect(rpcBlockSchema.safeParse(b).success).toBe(true);
        expect(rpcReceiptsSchema.safeParse(rs).success).toBe(true);
        const { pool } = poolWith((method) => ({ result: method === 'eth_getBlockByNumber' ? b : rs }));
        const gotBlock = await pool.request('eth_getBlockByNumber', [b.number, true], { schema: rpcBlockOrNullSchema, maxAttempts: 1 });
        const gotReceipts = await pool.request('eth_getBlockReceipts', [b.number], { schema: rpcReceiptsOrNullSchema, maxAttempts: 1 });
        await pool.close();
        // nullish fields come back as null; hex stays hex (lowercased): compare field by field
        expect(gotBlock!.hash).toBe(b.hash.toLowerCase());
        expect(gotBlock!.number).toBe(b.number);
        expect(gotBlock!.transactions.map((t) => t.hash)).toEqual(b.transactions.map((t) => t.hash.toLowerCase()));
        expect(gotBlock!.transactions.map((t) => t.to)).toEqual(b.transactions.map((t) => t.to?.toLowerCase() ?? null));
        expect(gotReceipts).toHaveLength(rs.length);
        expect(gotReceipts!.map((r) => r.logs.map((l) => l.topics))).toEqual(rs.map((r) => r.logs.map((l) => lowerStrings(l.topics))));
      }),
      { numRuns: 150 },
    );
  });

  test('a malformed block is an RpcResponseError from the pool, never data', async () => {
    await fc.assert(
      fc.asyncProperty(malformedBlock.filter((bad) => !rpcBlockOrNullSchema.safeParse(JSON.parse(JSON.stringify(bad) ?? 'null')).success), async (bad) => {
        const { pool } = poolWith(() => ({ result: bad }));
        const e = await rejection(pool.request('eth_getBlockByNumber', ['0x1', true], { schema: rpcBlockOrNullSchema, maxAttempts: 1 }));
        await pool.close();
        expect(e).toBeInstanceOf(RpcResponseError);
        expect((e as RpcResponseError).code).toBe('rpc_bad_response');
        expect((e as Error).message).toMatch(/malformed response: result invalid at /);
        expect((e as Error).message).not.toContain('/v2/key');
      }),
      { numRuns: 300 },
    );
  });

  test('malformed receipts are an RpcResponseError from the pool, never data', async () => {
    await fc.assert(
      // What reaches the pool is the JSON form; a few mutations happen to stay valid there
      // (e.g. an empty topics list), so the property covers every payload the schema refuses.
      fc.asyncProperty(malformedReceipts.filter((bad) => !rpcReceiptsOrNullSchema.safeParse(JSON.parse(JSON.stringify(bad) ?? 'null')).success), async (bad) => {
        const { pool } = poolWith(() => ({ result: bad }));
        const e = await rejection(pool.request('eth_getBlockReceipts', ['0x1'], { schema: rpcReceiptsOrNullSchema, maxAttempts: 1 }));
        await pool.close();
        expect(e).toBeInstanceOf(RpcResponseError);
      }),
      { numRuns: 300 },
    );
  });

  test('bodies that are not JSON-RPC envelopes are RpcResponseErrors', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 40 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
      fc.constant('{"jsonrpc":"2.0","id":1}'),
      fc.constant('null'),
      fc.constant('[]'),
      fc.constant('"0x1"'),
      fc.constant('{"jsonrpc":"1.0","id":1,"result":"0x1"}'),
      fc.tuple(wrongType, fc.string()).map(([c, m]) => JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: Array.isArray(c) || typeof c === 'object' ? { ...c } : String(c), message: m } })),
      fc.integer().map((c) => JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: c, message: 42 } })),
      fc.json().filter((s) => { const v = JSON.parse(s) as unknown; return !(v && typeof v === 'object' && !Array.isArray(v) && ('result' in v || 'error' in v)); }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const { pool } = poolWith(() => ({ raw }));
        const e = await rejection(pool.request('eth_blockNumber', [], { maxAttempts: 1 }));
        await pool.close();
        expect(e).toBeInstanceOf(RpcResponseError);
      }),
      { numRuns: 200 },
    );
  });

  test('getBlockBundle never returns a malformed block or receipts: it retries until the answer is well-formed', async () => {
    await fc.assert(
      fc.asyncProperty(
        block.map((b) => ({ ...b, number: '0x7', transactions: b.transactions.map((t, i) => ({ ...t, transactionIndex: `0x${i.toString(16)}` })) })),
        malformedBlock,
        malformedReceipts,
        fc.boolean(),
        async (good, badBlock, badReceipts, breakReceipts) => {
          const receipts = good.transactions.map((t) => ({
            transactionHash: t.hash, transactionIndex: t.transactionIndex, blockHash: good.hash, blockNumber: '0x7', from: t.from, to: t.to,
            status: '0x1', gasUsed: '0x1', effectiveGasPrice: '0x1', contractAddress: null, logs: [],
          }));
          let badServed = 0;
          const { pool } = poolWith((method) => {
            if (method === 'eth_getBlockByNumber') {
              if (!breakReceipts && badServed === 0) return badServed++, { result: badBlock };
              return { result: good };
            }
            if (breakReceipts && badServed === 0) return badServed++, { result: badReceipts };
            return { result: receipts };
          });
          const bundle = await pool.getBlockBundle(7n);
          await pool.close();
          // a block without transactions needs no receipts call, so a broken receipts answer is never served then
          if (!breakReceipts || good.transactions.length > 0) expect(badServed).toBe(1);
          expect(rpcBlockSchema.safeParse(bundle.block).success).toBe(true);
          expect(bundle.block.hash).toBe(good.hash.toLowerCase());
          expect(bundle.receipts.map((r) => r.transactionHash)).toEqual(good.transactions.map((t) => t.hash.toLowerCase()));
        },
      ),
      { numRuns: 100 },
    );
  });
});
