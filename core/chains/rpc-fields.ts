// zod primitives for raw JSON-RPC fields (hex quantities, hashes, addresses, bytes), shared
// by the RPC boundary (speed/rpc/schemas.ts) and the chain families' schema extensions.
// Hashes, addresses and data are lowercased here so nothing downstream compares case. Pure.
import { z } from 'zod';

/** Hex quantity, e.g. "0x0", "0x1a". Some nodes pad with zeros; both are accepted. */
export const hexQuantity = z.string().regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x-prefixed hex quantity');
const lower = (s: string) => s.toLowerCase();
export const hexHash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex hash')
  .transform(lower);
export const hexAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')
  .transform(lower);
export const hexData = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes')
  .transform(lower);
/** A field some clients omit and others send as null: always null when absent. */
export const nullish = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? null);
