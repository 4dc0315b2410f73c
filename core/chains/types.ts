// What a chain family is: the chain ids it covers, the extra fields its nodes send on
// transactions, receipts and blocks (zod shapes added to the RPC boundary's schemas), the
// formatters that turn those raw fields into the record's `extra` (core/chain.ts), and the
// columns those extras become. Data + small pure functions, like viem's chain formatters,
// so every layer may import a family. Adding a family: docs/chain-families.md.
import type { z } from 'zod';
import type { FamilyExtras, TxClass } from '../chain.js';

/**
 * Column types a family can declare; each storage layer maps them to its own (DuckDB, CQL).
 * `uint256`: any amount (VARCHAR in the lake, like `value`); `dec38`: a gas-sized amount that
 * fits DECIMAL(38,0) (gas, gas prices, fees, like `fee`); `text` may hold JSON.
 */
export type FamilyColumnType = 'uint256' | 'dec38' | 'bigint' | 'integer' | 'text' | 'boolean' | 'hash' | 'address';

export type FamilyColumn<F extends string = string> = {
  /** snake_case column name in lake/view tables. */
  name: string;
  /** Key in the record's `extra` the value comes from; a missing key is NULL. */
  field: F;
  type: FamilyColumnType;
  description: string;
};

/** The base fields every formatter may look at besides its family's own (the RPC boundary guarantees them). */
export type RawTxBase = { hash: string; type: string | null };
export type RawReceiptBase = { transactionHash: string; status: string | null };
export type RawBlockBase = { number: string; hash: string };

type Out<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

export type ChainFamily<
  TxShape extends z.ZodRawShape = z.ZodRawShape,
  ReceiptShape extends z.ZodRawShape = z.ZodRawShape,
  BlockShape extends z.ZodRawShape = z.ZodRawShape,
  TxExtras extends FamilyExtras = FamilyExtras,
  BlockExtras extends FamilyExtras = FamilyExtras,
> = {
  /** Lower-case name, the value of CHAIN_FAMILY and of a record's `family`. */
  name: string;
  /** Chains picked by id when CHAIN_FAMILY is auto. */
  chainIds: readonly number[];
  /**
   * zod shapes merged into speed/rpc/schemas.ts's transaction / receipt / block objects.
   * A key that exists there replaces the base rule (e.g. a field a deposit tx may omit).
   */
  rpc: { transaction: TxShape; receipt: ReceiptShape; block: BlockShape };
  /**
   * Raw (validated) RPC objects → the record's `extra`; null or {} = no extras.
   * `prepared` is what `prepare.transaction` gave for this transaction (undefined without it).
   */
  format: {
    transaction?(tx: RawTxBase & Out<TxShape>, receipt: RawReceiptBase & Out<ReceiptShape>, prepared?: FamilyExtras): TxExtras | null;
    block?(block: RawBlockBase & Out<BlockShape>): BlockExtras | null;
  };
  /**
   * Asynchronous per-transaction work decode cannot do (decode is synchronous and pure), run
   * by the block source before decode: e.g. recovering EIP-7702 authorities with viem.
   * Its result is handed to `format.transaction` as `prepared`; null = nothing for this tx.
   */
  prepare?: { transaction(tx: RawTxBase & Out<TxShape>): Promise<FamilyExtras | null> };
  /** The tx class of a family's own transaction types; null = the base shape classes (speed/decode/classify.ts). */
  classify?(tx: RawTxBase & Out<TxShape>): TxClass | null;
  /**
   * The two parts of the fee. `execution` is gasUsed × effectiveGasPrice as the base computes it;
   * the family may replace it (a deposit pays no L2 gas) and adds its `data` fee (blob fee, L1
   * data fee). Without it: execution as computed, data 0. The record's `fee` is their sum.
   */
  fee?(tx: RawTxBase & Out<TxShape>, receipt: RawReceiptBase & Out<ReceiptShape>, execution: bigint): { execution: bigint; data: bigint };
  /** How the extras become columns of the transactions / blocks tables. */
  columns: {
    transactions: readonly FamilyColumn<keyof TxExtras & string>[];
    blocks: readonly FamilyColumn<keyof BlockExtras & string>[];
  };
};

/** Identity with inference: a family file writes its shapes once and the formatters and columns are checked against them. */
export const defineChainFamily = <
  TxShape extends z.ZodRawShape,
  ReceiptShape extends z.ZodRawShape,
  BlockShape extends z.ZodRawShape,
  TxExtras extends FamilyExtras,
  BlockExtras extends FamilyExtras,
>(
  family: ChainFamily<TxShape, ReceiptShape, BlockShape, TxExtras, BlockExtras>,
): ChainFamily<TxShape, ReceiptShape, BlockShape, TxExtras, BlockExtras> => family;
