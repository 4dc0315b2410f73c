// The repository root, for files read at run time that are not TypeScript (batch/sql/*.sql,
// traffic artifacts, the fixture site): the same path whether the code runs from the sources
// through tsx or compiled under dist/ (whose files sit one level deeper).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the repository, e.g. repoPath('batch', 'sql'). */
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
