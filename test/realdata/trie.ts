// An independent check that a recorded block is what the chain produced: the header hash,
// every tx hash, transactionsRoot, withdrawalsRoot and receiptsRoot recomputed from the raw
// JSON with viem's keccak256/toRlp and a small Merkle-Patricia trie (root only, built from
// all keys at once). Ported from the fixture research's verifier; knows the typed encodings
// 0x1–0x4, OP deposit 0x7e and Arbitrum internal 0x6a. Test-only code.
import { type Hex, keccak256, toRlp } from 'viem';
import type { Raw } from './corpus.js';

type Rlp = Hex | readonly Rlp[];
const EMPTY_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

/** A quantity as minimal big-endian bytes (0 → empty). */
const q = (x: string | number | bigint | null | undefined): Hex => {
  if (x === null || x === undefined) return '0x';
  let h = BigInt(x).toString(16);
  if (h === '0') return '0x';
  if (h.length % 2) h = `0${h}`;
  return `0x${h}`;
};
const d = (x: Hex | null | undefined): Hex => x ?? '0x';
const accessList = (a: Raw[] | undefined): Rlp => (a ?? []).map((e) => [e.address, e.storageKeys]);
const typed = (type: number, body: Rlp[]): Hex => `0x${type.toString(16).padStart(2, '0')}${toRlp(body).slice(2)}`;

/** The tx's canonical encoding (its hash preimage), or null for a type this check does not know. */
export function encodeTx(t: Raw): Hex | null {
  const type = Number.parseInt(t.type ?? '0x0', 16);
  const sig = [q(t.yParity ?? t.v), q(t.r), q(t.s)];
  const to = t.to ?? '0x';
  switch (type) {
    case 0:
      return toRlp([q(t.nonce), q(t.gasPrice), q(t.gas), to, q(t.value), t.input, q(t.v), q(t.r), q(t.s)]);
    case 1:
      return typed(1, [q(t.chainId), q(t.nonce), q(t.gasPrice), q(t.gas), to, q(t.value), t.input, accessList(t.accessList), ...sig]);
    case 2:
      return typed(2, [q(t.chainId), q(t.nonce), q(t.maxPriorityFeePerGas), q(t.maxFeePerGas), q(t.gas), to, q(t.value), t.input, accessList(t.accessList), ...sig]);
    case 3:
      return typed(3, [q(t.chainId), q(t.nonce), q(t.maxPriorityFeePerGas), q(t.maxFeePerGas), q(t.gas), to, q(t.value), t.input, accessList(t.accessList), q(t.maxFeePerBlobGas), t.blobVersionedHashes, ...sig]);
    case 4:
      return typed(4, [
        q(t.chainId), q(t.nonce), q(t.maxPriorityFeePerGas), q(t.maxFeePerGas), q(t.gas), to, q(t.value), t.input, accessList(t.accessList),
        t.authorizationList.map((a: Raw) => [q(a.chainId), a.address, q(a.nonce), q(a.yParity ?? a.v), q(a.r), q(a.s)]),
        ...sig,
      ]);
    case 0x7e:
      return typed(0x7e, [t.sourceHash, t.from, to, q(t.mint), q(t.value), q(t.gas), t.isSystemTx ? '0x01' : '0x', t.input]);
    case 0x6a:
      return typed(0x6a, [q(t.chainId), t.input]);
    default:
      return null;
  }
}

/** The receipt's consensus encoding: pre-Byzantium receipts start with the state root, later ones with the status. */
export function encodeReceipt(r: Raw): Hex {
  const type = Number.parseInt(r.type ?? '0x0', 16);
  const first = r.root ? r.root : BigInt(r.status) === 1n ? '0x01' : '0x';
  const body: Rlp[] = [first, q(r.cumulativeGasUsed), r.logsBloom, r.logs.map((l: Raw) => [l.address, l.topics, l.data])];
  if (type === 0x7e && r.depositNonce != null) {
    body.push(q(r.depositNonce));
    if (r.depositReceiptVersion != null) body.push(q(r.depositReceiptVersion));
  }
  return type === 0 ? toRlp(body) : typed(type, body);
}

// --- Merkle-Patricia trie root over keys rlp(index) ---
const nibbles = (hex: Hex): number[] => hex.slice(2).split('').map((c) => Number.parseInt(c, 16));
function hexPrefix(n: number[], leaf: boolean): Hex {
  const odd = n.length % 2;
  const arr = odd ? [(leaf ? 2 : 0) + odd, ...n] : [leaf ? 2 : 0, 0, ...n];
  let h = '0x';
  for (let i = 0; i < arr.length; i += 2) h += (((arr[i] as number) << 4) | (arr[i + 1] as number)).toString(16).padStart(2, '0');
  return h as Hex;
}
/** A child is inlined when its encoding is shorter than 32 bytes, else referenced by hash. */
const ref = (node: Rlp): Rlp => ((toRlp(node).length - 2) / 2 < 32 ? node : keccak256(toRlp(node)));
type Item = [number[], Hex];
function build(items: Item[], depth: number): Rlp {
  if (items.length === 0) return '0x';
  if (items.length === 1) {
    const [key, value] = items[0] as Item;
    return [hexPrefix(key.slice(depth), true), value];
  }
  let p = 0;
  for (;;) {
    const c = (items[0] as Item)[0][depth + p];
    if (c === undefined || !items.every((it) => it[0][depth + p] === c)) break;
    p++;
  }
  if (p > 0) return [hexPrefix((items[0] as Item)[0].slice(depth, depth + p), false), ref(build(items, depth + p))];
  const branch: Rlp[] = Array(17).fill('0x');
  for (let i = 0; i < 16; i++) {
    const sub = items.filter((it) => it[0][depth] === i);
    if (sub.length) branch[i] = ref(build(sub, depth + 1));
  }
  const here = items.find((it) => it[0].length === depth);
  if (here) branch[16] = here[1];
  return branch;
}
/** Root of the trie mapping rlp(i) → values[i] (transactions, receipts, withdrawals). */
export function trieRoot(values: Hex[]): Hex {
  if (values.length === 0) return EMPTY_ROOT;
  return keccak256(toRlp(build(values.map((v, i) => [nibbles(toRlp(q(i))), v]), 0)));
}

/** keccak(rlp(header)): every header field, the fork-added ones when the block has them. */
export function headerHash(b: Raw): Hex {
  const f: Hex[] = [
    b.parentHash, b.sha3Uncles, b.miner, b.stateRoot, b.transactionsRoot, b.receiptsRoot, b.logsBloom,
    q(b.difficulty), q(b.number), q(b.gasLimit), q(b.gasUsed), q(b.timestamp), b.extraData, b.mixHash, b.nonce,
  ];
  const optional: [string, (x: Raw) => Hex][] = [['baseFeePerGas', q], ['withdrawalsRoot', d], ['blobGasUsed', q], ['excessBlobGas', q], ['parentBeaconBlockRoot', d], ['requestsHash', d]];
  for (const [k, fn] of optional) if (b[k] !== undefined) f.push(fn(b[k]));
  return keccak256(toRlp(f));
}

export type Verification = {
  hash: boolean;
  txHashes: boolean;
  unknownTxTypes: string[];
  transactionsRoot: boolean;
  withdrawalsRoot: boolean | null;
  receiptsRoot: boolean | null;
  receiptsMatchTxs: boolean | null;
};

/** Recompute every commitment a block (and its receipts, when given) carries. */
export function verifyBlock(block: Raw, receipts: Raw[] | null): Verification {
  const enc = block.transactions.map(encodeTx) as (Hex | null)[];
  const unknownTxTypes = [...new Set(block.transactions.filter((_: Raw, i: number) => enc[i] === null).map((t: Raw) => t.type as string))] as string[];
  const known = unknownTxTypes.length === 0;
  const rs = receipts && [...receipts].sort((a, b) => Number.parseInt(a.transactionIndex, 16) - Number.parseInt(b.transactionIndex, 16));
  return {
    hash: headerHash(block) === block.hash,
    txHashes: known && block.transactions.every((t: Raw, i: number) => keccak256(enc[i] as Hex) === t.hash),
    unknownTxTypes,
    transactionsRoot: known && trieRoot(enc as Hex[]) === block.transactionsRoot,
    withdrawalsRoot: block.withdrawals
      ? trieRoot(block.withdrawals.map((w: Raw) => toRlp([q(w.index), q(w.validatorIndex), w.address, q(w.amount)]))) === block.withdrawalsRoot
      : null,
    receiptsRoot: rs ? trieRoot(rs.map(encodeReceipt)) === block.receiptsRoot : null,
    receiptsMatchTxs: rs ? rs.length === block.transactions.length && rs.every((r, i) => r.transactionHash === block.transactions[i].hash) : null,
  };
}
