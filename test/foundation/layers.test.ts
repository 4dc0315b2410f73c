// The lambda architecture in the tree: speed/, batch/ and serving/ meet only in core/ and
// storage/; the shop is a second application beside them. This test reads every import
// specifier of every source file and fails on an import between top folders that the rules
// below do not allow, so a shortcut between layers cannot land unnoticed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Which top folders a top folder's production code may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  storage: ['core'],
  speed: ['core', 'storage'],
  batch: ['core', 'storage'],
  serving: ['core', 'storage'],
  // The shop reuses serving's one HttpError, request parsing and route-doc binding; serving
  // never imports the shop (the composition root, ops/, mounts it as a plugin).
  shop: ['core', 'storage', 'serving'],
  // ops/ is the composition root: the CLI and the local stack wire every layer together.
  ops: ['core', 'storage', 'speed', 'batch', 'serving', 'shop', 'bench'],
};

const SKIP = new Set(['node_modules', 'data', 'dist', '.cache', '.git']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a file: static `from '…'`, `import '…'` and `import('…')`. */
export function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const m of source.matchAll(re)) specs.push(m[2]!);
  return specs;
}

const topOf = (file: string): string => relative(root, file).split(sep)[0]!;

/** Every import of production code that crosses from one top folder to another it may not use. */
function violations(): string[] {
  const found: string[] = [];
  for (const top of Object.keys(ALLOWED)) {
    let files: string[];
    try {
      files = sourceFiles(join(root, top));
    } catch {
      continue; // a top folder that does not exist has nothing to violate
    }
    for (const file of files) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        const target = topOf(resolve(dirname(file), spec));
        if (target === top || target.startsWith('..')) continue;
        if (!ALLOWED[top]!.includes(target)) found.push(`${relative(root, file)} imports ${spec} (${top} → ${target})`);
      }
    }
  }
  return found;
}

describe('layer boundaries', () => {
  test('behavior: the import scanner sees static, side-effect and dynamic imports', () => {
    const src = "import a from '../core/x.js';\nimport '../storage/y.js';\nconst m = await import('../batch/z.js');\nimport type { T } from './t.js';";
    expect(importSpecifiers(src)).toEqual(['../core/x.js', '../storage/y.js', '../batch/z.js', './t.js']);
  });

  test('behavior: a forbidden import is reported', () => {
    const bad = importSpecifiers("import { x } from '../../speed/decode/index.js';").map((s) => topOf(resolve(join(root, 'batch', 'compact'), s)));
    expect(bad).toEqual(['speed']);
    expect(ALLOWED.batch).not.toContain('speed');
  });

  test('production code imports only the top folders its layer may use', () => {
    expect(violations()).toEqual([]);
  });
});
