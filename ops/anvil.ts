// Locates the anvil binary shipped by npm @foundry-rs/anvil (platform package).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function anvilBinary(): string {
  const candidates = [`@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}/package.json`];
  for (const c of candidates) {
    try {
      const bin = join(dirname(require.resolve(c)), 'bin', 'anvil');
      if (existsSync(bin)) return bin;
    } catch {
      /* try next */
    }
  }
  throw new Error('anvil binary not found: run `npm install` (package @foundry-rs/anvil)');
}
