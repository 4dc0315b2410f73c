// The ethereum family: mainnet, its testnets and local anvil, and the fallback for any chain
// id no family claims. What it adds to the base schemas of speed/rpc/schemas.ts: blob
// transactions (EIP-4844: blob gas on receipts, blob hashes on txs, blob gas per block),
// set-code transactions (EIP-7702: the authorization list and the authorities it names) and
// withdrawals per block (EIP-4895). A field is written to `extra` only when the node sent it,
// so a pre-Cancun block's record is exactly the pre-family record. The L2 families build on
// these parts (an OP or Arbitrum node sends the same fields for the same tx types).
import { z } from 'zod';
import type { FamilyExtras } from '../chain.js';
import { hexAddress, hexHash, hexQuantity, nullish } from './rpc-fields.js';
import { defineChainFamily, type FamilyColumn } from './types.js';

const dec = (q: string): string => BigInt(q).toString(10);
/** Drop absent fields: a record carries only what the node sent. */
const present = (x: Record<string, string | number | boolean | null | undefined>): FamilyExtras => {
  const out: FamilyExtras = {};
  for (const [k, v] of Object.entries(x)) if (v != null) out[k] = v;
  return out;
};

const authorizationSchema = z.object({
  chainId: hexQuantity,
  address: hexAddress,
  nonce: hexQuantity,
  /** geth sends yParity (and v); some clients only v. */
  yParity: nullish(hexQuantity),
  v: nullish(hexQuantity),
  r: hexQuantity,
  s: hexQuantity,
});
type Authorization = z.output<typeof authorizationSchema>;

const withdrawalSchema = z.object({ index: hexQuantity, validatorIndex: hexQuantity, address: hexAddress, amount: hexQuantity });

export const ethereumRpc = {
  transaction: {
    /** Blob txs (type 3): the versioned hashes of the blobs it carries. */
    blobVersionedHashes: nullish(z.array(hexHash)),
    maxFeePerBlobGas: nullish(hexQuantity),
    /** Set-code txs (type 4): the signed delegations. */
    authorizationList: nullish(z.array(authorizationSchema)),
  },
  receipt: { blobGasUsed: nullish(hexQuantity), blobGasPrice: nullish(hexQuantity) },
  block: { withdrawals: nullish(z.array(withdrawalSchema)), blobGasUsed: nullish(hexQuantity), excessBlobGas: nullish(hexQuantity) },
};

// Optional as well as nullable: an object validated without this family's schemas (a test, or a
// caller that decodes base-schema answers) lacks the keys, and reads as "not sent".
type EthTx = { blobVersionedHashes?: string[] | null; maxFeePerBlobGas?: string | null; authorizationList?: Authorization[] | null };
type EthReceipt = { blobGasUsed?: string | null; blobGasPrice?: string | null };
type EthBlock = { withdrawals?: z.output<typeof withdrawalSchema>[] | null; blobGasUsed?: string | null; excessBlobGas?: string | null };

const GWEI = 1_000_000_000n;

/** blobGasUsed × blobGasPrice, when the receipt has both. */
export const blobFee = (r: EthReceipt): bigint | null => (r.blobGasUsed != null && r.blobGasPrice != null ? BigInt(r.blobGasUsed) * BigInt(r.blobGasPrice) : null);

/**
 * The authority (signer) of one authorization tuple, by viem's recoverAuthorizationAddress;
 * null when the signature does not recover (an invalid tuple is skipped by the chain, not an
 * error of ours) or its y-parity is not 0/1.
 */
export async function recoverAuthority(a: Authorization): Promise<string | null> {
  const parity = a.yParity ?? a.v;
  if (parity === null || BigInt(parity) > 1n) return null;
  try {
    // viem's utils cost ~0.2 CPU-s to load: only blocks with set-code txs pay it.
    const { recoverAuthorizationAddress } = await import('viem/utils');
    const address = await recoverAuthorizationAddress({
      authorization: { address: a.address as `0x${string}`, chainId: Number(BigInt(a.chainId)), nonce: Number(BigInt(a.nonce)), r: a.r as `0x${string}`, s: a.s as `0x${string}`, yParity: Number(BigInt(parity)) },
    });
    return address.toLowerCase();
  } catch {
    return null;
  }
}

/** The prepare step: authorities of a set-code tx, as a JSON array text (null where one does not recover). */
export async function prepareEthereumTx(tx: EthTx): Promise<FamilyExtras | null> {
  if (tx.authorizationList == null) return null;
  const authorities = await Promise.all(tx.authorizationList.map(recoverAuthority));
  return { authorities: JSON.stringify(authorities) };
}

export function formatEthereumTx(tx: EthTx, receipt: EthReceipt, prepared?: FamilyExtras) {
  const fee = blobFee(receipt);
  return present({
    blobGasUsed: receipt.blobGasUsed == null ? null : dec(receipt.blobGasUsed),
    blobGasPrice: receipt.blobGasPrice == null ? null : dec(receipt.blobGasPrice),
    blobFee: fee == null ? null : fee.toString(10),
    maxFeePerBlobGas: tx.maxFeePerBlobGas == null ? null : dec(tx.maxFeePerBlobGas),
    blobHashCount: tx.blobVersionedHashes == null ? null : tx.blobVersionedHashes.length,
    authorizationCount: tx.authorizationList == null ? null : tx.authorizationList.length,
    authorities: typeof prepared?.authorities === 'string' ? prepared.authorities : null,
  });
}

export function formatEthereumBlock(b: EthBlock) {
  return present({
    withdrawalCount: b.withdrawals == null ? null : b.withdrawals.length,
    // Withdrawal amounts are in gwei on the wire; the record keeps wei like every amount.
    withdrawalAmount: b.withdrawals == null ? null : (b.withdrawals.reduce((s, w) => s + BigInt(w.amount), 0n) * GWEI).toString(10),
    blobGasUsed: b.blobGasUsed == null ? null : dec(b.blobGasUsed),
    excessBlobGas: b.excessBlobGas == null ? null : dec(b.excessBlobGas),
  });
}

export const ethereumColumns = {
  transactions: [
    { name: 'blob_gas_used', field: 'blobGasUsed', type: 'dec38', description: 'blob gas the tx used (receipt), type 3 only' },
    { name: 'blob_gas_price', field: 'blobGasPrice', type: 'dec38', description: 'wei per blob gas paid (receipt)' },
    { name: 'blob_fee', field: 'blobFee', type: 'dec38', description: 'blob_gas_used × blob_gas_price, wei; part of fee' },
    { name: 'max_fee_per_blob_gas', field: 'maxFeePerBlobGas', type: 'dec38', description: 'the sender’s blob gas price cap' },
    { name: 'blob_hash_count', field: 'blobHashCount', type: 'integer', description: 'number of blob versioned hashes' },
    { name: 'authorization_count', field: 'authorizationCount', type: 'integer', description: 'EIP-7702 authorization tuples, type 4 only' },
    { name: 'authorities', field: 'authorities', type: 'text', description: 'JSON array of the recovered authority per tuple (null: signature does not recover)' },
  ],
  blocks: [
    { name: 'withdrawal_count', field: 'withdrawalCount', type: 'integer', description: 'EIP-4895 withdrawals in the block' },
    { name: 'withdrawal_amount', field: 'withdrawalAmount', type: 'uint256', description: 'sum of withdrawal amounts, wei' },
    { name: 'blob_gas_used', field: 'blobGasUsed', type: 'dec38', description: 'blob gas of the block' },
    { name: 'excess_blob_gas', field: 'excessBlobGas', type: 'dec38', description: 'excess blob gas (sets the blob base fee)' },
  ],
} as const satisfies { transactions: readonly FamilyColumn[]; blocks: readonly FamilyColumn[] };

export const ethereumFamily = defineChainFamily({
  name: 'ethereum',
  // mainnet, sepolia, holesky, hoodi, anvil/hardhat
  chainIds: [1, 11155111, 17000, 560048, 31337],
  rpc: ethereumRpc,
  format: { transaction: formatEthereumTx, block: formatEthereumBlock },
  prepare: { transaction: prepareEthereumTx },
  fee: (_tx, receipt, execution) => ({ execution, data: blobFee(receipt) ?? 0n }),
  columns: ethereumColumns,
});
