// Chain families by name, and the choice of one for a chain: CHAIN_FAMILY when set, else the
// family that lists the chain id, else ethereum. Pure: no I/O, importable from every layer.
import type { FamilyExtras } from '../chain.js';
import { FatalError } from '../errors.js';
import { arbitrumFamily } from './arbitrum.js';
import { ethereumFamily } from './ethereum.js';
import { gnosisFamily } from './gnosis.js';
import { opStackFamily } from './op-stack.js';
import { polygonFamily } from './polygon.js';
import type { ChainFamily, FamilyColumn } from './types.js';

export * from './types.js';
export { arbitrumFamily } from './arbitrum.js';
export { ethereumFamily } from './ethereum.js';
export { gnosisFamily } from './gnosis.js';
export { opStackFamily } from './op-stack.js';
export { polygonFamily } from './polygon.js';

/** Every family the build knows. A new family is one file here plus one line in this record. */
export const CHAIN_FAMILIES = {
  ethereum: ethereumFamily,
  'op-stack': opStackFamily,
  arbitrum: arbitrumFamily,
  polygon: polygonFamily,
  gnosis: gnosisFamily,
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

/**
 * Every family's columns of one table, once per name (families that share a column, e.g. the
 * ethereum ones every L2 family inherits, declare it alike): the family columns of the lake's
 * raw tables and of `chainlake export`, NULL in the rows of a family that lacks them.
 */
export function allFamilyColumns(table: 'transactions' | 'blocks', families: Readonly<Record<string, ChainFamily>> = CHAIN_FAMILIES): FamilyColumn[] {
  const byName = new Map<string, FamilyColumn>();
  for (const f of Object.values(families))
    for (const c of f.columns[table]) {
      const seen = byName.get(c.name);
      if (!seen) byName.set(c.name, c);
      else if (seen.field !== c.field || seen.type !== c.type)
        throw new FatalError(`chain families declare column ${table}.${c.name} differently (${seen.field}: ${seen.type} vs ${c.field}: ${c.type})`);
    }
  return [...byName.values()];
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
