// A fast structural check of a parsed Kafka record, mirroring core/chain.ts chainRecordSchema
// field by field (the zod parse costs more than JSON.parse itself at compaction rates). It only
// ever says "valid" for what zod accepts; anything it rejects goes through decodeRecord, which
// stays the authority for the reason and the message (check.test.ts compares the two).
import { type ChainRecord, decodeRecord, RECORD_SCHEMA, TX_CLASSES } from '../../core/chain.js';

const HEX32 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const SELECTOR = /^0x[0-9a-f]{8}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;
const UINT256_MAX = 2n ** 256n - 1n;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const nonNegInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
// zod's int() accepts any integer ≤ MAX_SAFE_INTEGER; larger ones are rejected by it too.
const blockNumber = nonNegInt;
const hex32 = (v: unknown) => str(v) && HEX32.test(v);
const address = (v: unknown) => str(v) && ADDRESS.test(v);
const uint = (v: unknown) => str(v) && UINT.test(v) && (v.length < 78 || BigInt(v) <= UINT256_MAX);
const nullable = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);
const addressOrNull = nullable(address);
const uintOrNull = nullable(uint);
const txClasses = new Set<unknown>(TX_CLASSES);

function header(b: unknown): boolean {
  if (!isObj(b)) return false;
  return (
    blockNumber(b.number) &&
    hex32(b.hash) &&
    hex32(b.parentHash) &&
    nonNegInt(b.timestamp) &&
    address(b.miner) &&
    uint(b.gasUsed) &&
    uint(b.gasLimit) &&
    uintOrNull(b.baseFeePerGas) &&
    nonNegInt(b.txCount)
  );
}

function args(v: unknown): boolean {
  if (v === null) return true;
  if (!isObj(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

function tx(t: unknown): boolean {
  if (!isObj(t)) return false;
  return (
    hex32(t.hash) &&
    blockNumber(t.blockNumber) &&
    nonNegInt(t.transactionIndex) &&
    address(t.from) &&
    addressOrNull(t.to) &&
    uint(t.value) &&
    nonNegInt(t.nonce) &&
    nonNegInt(t.type) &&
    uint(t.gas) &&
    uintOrNull(t.gasPrice) &&
    uintOrNull(t.maxFeePerGas) &&
    uintOrNull(t.maxPriorityFeePerGas) &&
    txClasses.has(t.txClass) &&
    (t.selector === null || (str(t.selector) && SELECTOR.test(t.selector))) &&
    (t.method === null || str(t.method)) &&
    args(t.args) &&
    nonNegInt(t.inputSize) &&
    (t.status === 0 || t.status === 1) &&
    uint(t.gasUsed) &&
    uint(t.effectiveGasPrice) &&
    uint(t.fee) &&
    addressOrNull(t.contractAddress) &&
    nonNegInt(t.logCount)
  );
}

function transfer(x: unknown): boolean {
  if (!isObj(x)) return false;
  return hex32(x.txHash) && blockNumber(x.blockNumber) && nonNegInt(x.logIndex) && address(x.token) && address(x.from) && address(x.to) && uint(x.amount);
}

/** True only if chainRecordSchema accepts the value (false may still be valid: ask decodeRecord). */
export function isChainRecord(r: unknown): r is ChainRecord {
  if (!isObj(r) || r.schema !== RECORD_SCHEMA) return false;
  if (!(typeof r.chainId === 'number' && Number.isSafeInteger(r.chainId) && r.chainId > 0 && nonNegInt(r.publishedAt))) return false;
  if (r.kind === 'block') {
    if (!header(r.block) || !Array.isArray(r.transactions) || !Array.isArray(r.tokenTransfers)) return false;
    for (const t of r.transactions) if (!tx(t)) return false;
    for (const x of r.tokenTransfers) if (!transfer(x)) return false;
    return true;
  }
  if (r.kind === 'retraction') {
    const b = r.block;
    return isObj(b) && blockNumber(b.number) && hex32(b.hash) && hex32(b.parentHash) && nonNegInt(b.timestamp) && (r.replacedBy === null || hex32(r.replacedBy));
  }
  return false;
}

/**
 * decodeRecord with a fast path: JSON.parse plus isChainRecord. Anything the fast path does not
 * accept is decoded by decodeRecord, so rejections keep its RecordDecodeError reason and message.
 */
export function decodeRecordFast(value: Buffer | null): ChainRecord {
  if (value !== null) {
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (isChainRecord(json)) return json;
  }
  return decodeRecord(value);
}
