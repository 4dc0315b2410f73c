// A lock file in the lake (<lake>/_locks/<name>.lock holding the owner's pid) plus an
// in-process guard, so neither two tasks of one process nor two processes on the host run
// the same job at once. A lock whose pid is no longer alive (kill -9) is taken over.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakePaths } from '../storage/lake/paths.js';

export type HeldLock = { path: string; release: () => Promise<void> };

const heldInProcess = new Set<string>();

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const lockPath = (paths: LakePaths, name: string): string => join(paths.root, '_locks', `${name}.lock`);

/** Take the lock or return null when another task or live process holds it. */
export async function tryLock(paths: LakePaths, name: string): Promise<HeldLock | null> {
  const path = lockPath(paths, name);
  if (heldInProcess.has(path)) return null;
  heldInProcess.add(path);
  try {
    await mkdir(join(paths.root, '_locks'), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(path, 'wx');
        await fh.writeFile(`${process.pid}\n`);
        await fh.close();
        let released = false;
        return {
          path,
          release: async () => {
            if (released) return;
            released = true;
            heldInProcess.delete(path);
            await rm(path, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        // A half-written file (owner 0) is treated as live once, then as stale.
        if ((owner > 0 && pidAlive(owner)) || (owner === 0 && attempt === 0)) {
          if (owner > 0) {
            heldInProcess.delete(path);
            return null;
          }
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        await rm(path, { force: true });
      }
    }
    heldInProcess.delete(path);
    return null;
  } catch (e) {
    heldInProcess.delete(path);
    throw e;
  }
}
