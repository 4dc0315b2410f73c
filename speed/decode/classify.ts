// Transaction classes (from the seed system). Pure.
import type { TxClass } from '../../core/chain.js';

/** to == null → contract creation; input "0x" → native transfer; otherwise contract call. */
export function classifyTx(tx: { to: string | null; input: string }): TxClass {
  if (tx.to === null) return 'contract_creation';
  if (tx.input === '0x' || tx.input === '') return 'native_transfer';
  return 'contract_call';
}
