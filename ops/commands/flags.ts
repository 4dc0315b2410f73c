// The CLI's flag parsers, shared by every command file, with one error style: a FlagError whose
// message is one sentence naming the flag; ops/cli.ts prints it as `chainlake: <sentence>` and
// exits 2. Each parser takes the raw string, so it works as a commander argParser
// (`.option('--chain-id <id>', '…', chainIdFlag())`) and on a raw value inside an action.
import { ValidationError } from '../../core/errors.js';

export class FlagError extends ValidationError {
  override readonly code: string = 'bad_flag';
}

const fail = (message: string): never => {
  throw new FlagError(message);
};

/** A number within bounds; `expected` completes "--flag must be …, got "v"". */
export const numberFlag =
  (flag: string, expected: string, bounds: { min?: number; max?: number; integer?: boolean } = {}) =>
  (v: string): number => {
    const n = Number(v);
    const ok = v.trim() !== '' && Number.isFinite(n) && (!bounds.integer || Number.isSafeInteger(n)) && n >= (bounds.min ?? -Infinity) && n <= (bounds.max ?? Infinity);
    return ok ? n : fail(`${flag} must be ${expected}, got "${v}"`);
  };

export const intFlag = (flag: string, min: number, max: number, expected = `an integer from ${min} to ${max}`) => numberFlag(flag, expected, { min, max, integer: true });
export const positiveIntFlag = (flag: string) => numberFlag(flag, 'a positive integer', { min: 1, integer: true });
export const portFlag = (flag: string) => intFlag(flag, 0, 65535, 'a port number (0-65535)');
export const chainIdFlag = (flag = '--chain-id') => numberFlag(flag, 'a positive integer chain id', { min: 1, integer: true });

/** A block number: digits only (no sign, exponent or hex), within the safe integer range. */
export const blockFlag =
  (flag: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v)) fail(`${flag} must be a non-negative block number`);
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : fail(`${flag} is too large`);
  };

/** --from A --to B, inclusive. */
export function blockRange(from: string, to: string): { from: number; to: number } {
  const r = { from: blockFlag('--from')(from), to: blockFlag('--to')(to) };
  return r.from <= r.to ? r : fail('--from must not be greater than --to');
}

/** --blocks n1,n2,...: sorted, without duplicates. */
export function blockList(flag: string, v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))) fail(`${flag} must be a comma-separated list of block numbers`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export const oneOfFlag =
  <T extends string>(flag: string, values: readonly T[], expected = values.join(' or ')) =>
  (v: string): T =>
    (values as readonly string[]).includes(v) ? (v as T) : fail(`${flag} must be ${expected}`);

export const httpUrlFlag =
  (flag: string) =>
  (v: string): string => {
    try {
      const u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return v;
    } catch {
      /* the sentence below */
    }
    return fail(`${flag} must be an http(s) URL`);
  };

/** A regex-checked string; `expected` completes "--flag must be …". */
export const patternFlag =
  (flag: string, re: RegExp, expected: string) =>
  (v: string): string =>
    re.test(v) ? v : fail(`${flag} must be ${expected}`);

/** Apply a parser to an optional raw value (flags read in the action, e.g. with string defaults). */
export const optional = <T>(parse: (v: string) => T, v: string | undefined): T | undefined => (v === undefined ? undefined : parse(v));

export const flagFail = fail;
