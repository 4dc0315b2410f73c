// A JSON-RPC server on 127.0.0.1 that answers with the recorded node answers of the fixture
// corpus (test/realdata/corpus.ts), so export / ingest meet real chains' blocks and receipts.
// Serves one chain: eth_chainId, eth_blockNumber, eth_getBlockByNumber (full or hashes, by
// number or latest/finalized/safe), eth_getBlockByHash, eth_getBlockReceipts (by number or
// hash) and eth_getTransactionReceipt. Switches make it behave like nodes that do not have a
// block's receipts (an error, null or []) or that lack eth_getBlockReceipts altogether.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LoadedSet, type Raw, answerOf, provenance } from './corpus.js';

/**
 * How the node answers for a block whose receipts it "does not have":
 * - error: a -32001-style "receipts not available" error
 * - erigon: erigon's recorded -32000 "block not found" answer from the corpus
 * - null / empty: result null or []
 */
export type MissingReceipts = 'error' | 'erigon' | 'null' | 'empty';

export type ReplayOptions = {
  sets: LoadedSet[];
  chainId: number;
  /** Blocks (by number) whose receipts the node does not have, and how it says so (default 'error'). */
  missingReceipts?: { blocks: number[]; as?: MissingReceipts };
  /** Answer eth_getBlockReceipts with "method not found" (-32601), like nodes without it. */
  noBlockReceipts?: boolean;
};

export type ReplayServer = {
  url: string;
  /** Requests served, by method. */
  calls: Map<string, number>;
  close: () => Promise<void>;
};

type Answer = { result: Raw } | { error: { code: number; message: string } };

const erigonNotFound = (): { code: number; message: string } => {
  const e = provenance.errors.find((x) => x.name === 'erigon-block-not-found');
  const error = e && answerOf(e.answer).error;
  if (!error) throw new Error('corpus has no erigon-block-not-found answer');
  return error;
};

export async function startReplay(opts: ReplayOptions): Promise<ReplayServer> {
  const byNumber = new Map<bigint, LoadedSet>();
  const byHash = new Map<string, LoadedSet>();
  const receiptByTx = new Map<string, { set: LoadedSet; receipt: Raw }>();
  for (const s of opts.sets) {
    byNumber.set(BigInt(s.rawBlock.number), s);
    byHash.set(String(s.rawBlock.hash).toLowerCase(), s);
    for (const r of s.rawReceipts ?? []) receiptByTx.set(String(r.transactionHash).toLowerCase(), { set: s, receipt: r });
  }
  const head = [...byNumber.keys()].reduce((a, b) => (b > a ? b : a), 0n);
  const missing = new Set((opts.missingReceipts?.blocks ?? []).map(BigInt));
  const missingAs = opts.missingReceipts?.as ?? 'error';
  const calls = new Map<string, number>();

  const blockOf = (tag: unknown): LoadedSet | undefined => {
    if (typeof tag !== 'string') return undefined;
    if (tag === 'latest' || tag === 'finalized' || tag === 'safe' || tag === 'pending') return byNumber.get(head);
    if (tag === 'earliest') return undefined;
    if (/^0x[0-9a-fA-F]{64}$/.test(tag)) return byHash.get(tag.toLowerCase());
    return /^0x[0-9a-fA-F]+$/.test(tag) ? byNumber.get(BigInt(tag)) : undefined;
  };
  const hashesOnly = (b: Raw): Raw => ({ ...b, transactions: b.transactions.map((t: Raw) => t.hash) });
  /** What the node says for receipts it does not have. */
  const noReceipts = (empty: 'null' | 'list'): Answer => {
    if (missingAs === 'error') return { error: { code: -32001, message: 'receipts not available for this block' } };
    if (missingAs === 'erigon') return { error: erigonNotFound() };
    if (missingAs === 'empty' && empty === 'list') return { result: [] };
    return { result: null };
  };

  function answer(method: string, params: unknown[]): Answer {
    switch (method) {
      case 'eth_chainId':
        return { result: `0x${opts.chainId.toString(16)}` };
      case 'net_version':
        return { result: String(opts.chainId) };
      case 'eth_blockNumber':
        return { result: `0x${head.toString(16)}` };
      case 'eth_getBlockByNumber':
      case 'eth_getBlockByHash': {
        const s = blockOf(params[0]);
        if (!s) return { result: null };
        return { result: params[1] === true ? s.rawBlock : hashesOnly(s.rawBlock) };
      }
      case 'eth_getBlockReceipts': {
        if (opts.noBlockReceipts) return { error: { code: -32601, message: 'the method eth_getBlockReceipts does not exist/is not available' } };
        const s = blockOf(params[0]);
        if (!s) return { result: null };
        if (s.rawReceipts === null || missing.has(BigInt(s.rawBlock.number))) return noReceipts('list');
        return { result: s.rawReceipts };
      }
      case 'eth_getTransactionReceipt': {
        const hit = typeof params[0] === 'string' ? receiptByTx.get(params[0].toLowerCase()) : undefined;
        if (!hit) {
          const inBlock = opts.sets.find((s) => s.rawBlock.transactions.some((t: Raw) => t.hash === params[0]));
          return inBlock ? noReceipts('null') : { result: null };
        }
        if (missing.has(BigInt(hit.set.rawBlock.number))) return noReceipts('null');
        return { result: hit.receipt };
      }
      default:
        return { error: { code: -32601, message: `the method ${method} does not exist/is not available` } };
    }
  }

  const one = (req: Raw): Raw => {
    const method = String(req?.method);
    calls.set(method, (calls.get(method) ?? 0) + 1);
    return { jsonrpc: '2.0', id: req?.id ?? null, ...answer(method, Array.isArray(req?.params) ? req.params : []) };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Raw;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }));
        return;
      }
      const out = Array.isArray(body) ? body.map(one) : one(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
