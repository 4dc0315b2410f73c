import { expect, test } from 'vitest';
import { parseConfig } from '../config.js';
import { CHAIN_FAMILIES, ethereumFamily, resolveChainFamily, UnknownChainFamilyError } from './index.js';

const other = { ...ethereumFamily, name: 'other', chainIds: [424242] };

test('behavior: auto picks the family that lists the chain id, else ethereum', () => {
  expect(resolveChainFamily(1)).toBe(ethereumFamily);
  expect(resolveChainFamily(31337, 'auto')).toBe(ethereumFamily);
  expect(resolveChainFamily(777)).toBe(ethereumFamily);
  expect(resolveChainFamily(424242, 'auto', { ...CHAIN_FAMILIES, other })).toBe(other);
});

test('behavior: a named family overrides the chain id; an unknown name is a fatal error naming the known ones', () => {
  expect(resolveChainFamily(1, 'other', { ...CHAIN_FAMILIES, other })).toBe(other);
  expect(resolveChainFamily(424242, 'ethereum', { ...CHAIN_FAMILIES, other })).toBe(ethereumFamily);
  expect(() => resolveChainFamily(1, 'nope')).toThrow(UnknownChainFamilyError);
  expect(() => resolveChainFamily(1, 'nope')).toThrow(/known: auto, ethereum/);
});

test('behavior: CHAIN_FAMILY accepts auto and the built-in names only', () => {
  expect(parseConfig({}).CHAIN_FAMILY).toBe('auto');
  expect(parseConfig({ CHAIN_FAMILY: 'ethereum' }).CHAIN_FAMILY).toBe('ethereum');
  expect(() => parseConfig({ CHAIN_FAMILY: 'op-stack-typo' })).toThrow(/CHAIN_FAMILY/);
});
