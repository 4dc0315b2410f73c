// The compiled CLI: `tsc -p tsconfig.build.json` writes dist/ (git-ignored) and then the stamp
// dist/.built. dist/ is fresh when no .ts source (nor a tsconfig) is newer than the stamp; a cheap
// mtime walk, run by bin/chainlake.mjs at every start (it falls back to tsx when stale) and by
// ops/bootstrap.mjs, which rebuilds a stale dist before `npm start`, `npm test`, `npm run bench`.
// Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.built');
// The top folders tsconfig.build.json compiles (its "include"), so a new layer cannot be missed here.
export const SOURCE_DIRS = [...new Set(JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include.map((p) => p.split('/')[0]))];

function newerTs(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // site/: the fixture site's HTML (shop/fixture-site/site), no sources.
      if (e.name !== 'node_modules' && e.name !== 'site' && newerTs(p, since)) return true;
      // Tests are not compiled into dist (tsconfig.build.json excludes them): editing one leaves dist fresh.
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(p).mtimeMs > since) return true;
  }
  return false;
}

/** True when dist/ was built after the last change to any .ts source or tsconfig. */
export function distFresh() {
  if (!existsSync(stamp)) return false;
  const since = statSync(stamp).mtimeMs;
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) if (statSync(join(root, f)).mtimeMs > since) return false;
  return !SOURCE_DIRS.some((d) => newerTs(join(root, d), since));
}

/** Build dist/ when stale; returns false (after tsc printed why) when the build failed. */
export function ensureDist(say = (m) => process.stderr.write(`[chainlake] ${m}\n`)) {
  if (distFresh()) return true;
  say('Compiling TypeScript to dist/ (once per source change)...');
  // The stamp's time is taken before compiling: a source edited during the build stays "newer".
  const startedAt = new Date();
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    say('tsc failed: the CLI keeps running the sources through tsx');
    return false;
  }
  writeFileSync(stamp, `${startedAt.toISOString()}\n`);
  utimesSync(stamp, startedAt, startedAt);
  return true;
}
