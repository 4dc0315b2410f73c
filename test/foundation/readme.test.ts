import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { withConfigTable } from '../../ops/config-doc.js';

const readme = readFileSync('README.md', 'utf8');

test('README starts with the two set-up commands', () => {
  const firstBlock = /```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  expect(firstBlock.trim().split('\n').map((l) => l.split('#')[0]!.trim())).toEqual(['npm start', 'npm test']);
});

test('README configuration table matches core/config.ts', () => {
  // Fails when a variable is added, renamed or re-described without `npx tsx ops/config-doc.ts --write`.
  expect(readme).toBe(withConfigTable(readme));
});
