// Chain families by name, and the choice of one for a chain: CHAIN_FAMILY when set, else the
// family that lists the chain id, else ethereum. Pure: no I/O, importable from every layer.
import type { FamilyExtras } from '../chain.js';
import { FatalError } from '../errors.js';
import { ethereumFamily } from './ethereum.js';
import type { ChainFamily, FamilyColumn } from './types.js';

export * from './types.js';
export { ethereumFamily } from './ethereum.js';

/** Every family the build knows. A new family is one file here plus one line in this record. */
export const CHAIN_FAMILIES = {
  ethereum: ethereumFamily,
} as const satisfies Record<string, ChainFamily>;
export type ChainFamilyName = keyof typeof CHAIN_FAMILIES;
export const CHAIN_FAMILY_NAMES = Object.keys(CHAIN_FAMILIES) as ChainFamilyName[];

/** Records of this family carry no `family` tag (they are exactly the pre-family records). */
export const DEFAULT_CHAIN_FAMILY: ChainFamily = ethereumFamily;

export class UnknownChainFamilyError extends FatalError {
  override readonly code = 'unknown_chain_family';
}

/**
 * The family for a chain. `override` is CHAIN_FAMILY ("auto" or a name); `families` defaults
 * to the built-in ones (tests pass their own).
 */
export function resolveChainFamily(
  chainId: number,
  override = 'auto',
  families: Readonly<Record<string, ChainFamily>> = CHAIN_FAMILIES,
): ChainFamily {
  if (override !== 'auto') {
    const named = families[override];
    if (!named) throw new UnknownChainFamilyError(`unknown chain family "${override}" (known: auto, ${Object.keys(families).join(', ')})`);
    return named;
  }
  return Object.values(families).find((f) => f.chainIds.includes(chainId)) ?? DEFAULT_CHAIN_FAMILY;
}

/** The family's columns of one table with their values from a record's `extra` (missing → null). */
export function familyColumnValues(
  columns: readonly FamilyColumn[],
  extra: FamilyExtras | undefined,
): Record<string, FamilyExtras[string]> {
  const out: Record<string, FamilyExtras[string]> = {};
  for (const c of columns) out[c.name] = extra?.[c.field] ?? null;
  return out;
}
