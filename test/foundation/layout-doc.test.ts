// docs/layout.md is the "where things live" map: every repository path it names in backticks
// must exist, so a move or a rename that forgets the map fails here.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Backticked tokens that name a path in the repository (no placeholders, URLs or commands). */
export function namedPaths(markdown: string): string[] {
  const tokens = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return [...new Set(tokens.filter((t) => !t.startsWith('/') && !t.includes('<') && (t.includes('/') || /\.(ts|mjs|md|sql|json|ya?ml)$/.test(t))))];
}

describe('docs/layout.md', () => {
  test('behavior: paths are taken from backticks, placeholders and URLs are not', () => {
    expect(namedPaths('`core/x.ts`, `core/chains/<name>.ts`, `/openapi.json`, `npm test`, `docs/a.md`, `shop/`')).toEqual(['core/x.ts', 'docs/a.md', 'shop/']);
  });

  test('every path it names exists', () => {
    const paths = namedPaths(readFileSync(join(root, 'docs', 'layout.md'), 'utf8'));
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});
