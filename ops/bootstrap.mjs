#!/usr/bin/env node
// Entry of `npm start`, `npm stop`, `npm test`, `npm run bench`. Plain Node with no
// dependencies: it installs what is missing (npm packages, Chromium for browser tests),
// compiles dist/ when a source changed (ops/build.mjs), then hands over to the CLI or to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDist } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const [command = 'up', ...rest] = process.argv.slice(2);
const args = rest[0] === '--' ? rest.slice(1) : rest;

function say(msg) {
  process.stderr.write(`[chainlake] ${msg}\n`);
}

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  say('Installing npm dependencies (first run only)...');
  const code = existsSync(lock) ? run('npm', ['ci', '--no-audit', '--no-fund']) : run('npm', ['install', '--no-audit', '--no-fund']);
  if (code !== 0) {
    say('npm install failed: see the output above');
    process.exit(code);
  }
}

function hasBrowserTests() {
  const dir = join(root, 'test', 'dashboard');
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.test.ts'));
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium') || !hasBrowserTests()) return;
  say('Installing Debian chromium for the browser tests (first run only)...');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (a) => (sudo.length ? run('sudo', ['apt-get', ...a]) : run('apt-get', a));
  apt(['update', '-qq']);
  if (apt(['install', '-y', '-qq', 'chromium']) !== 0) say('Could not install chromium: browser tests will fail with a message');
}

const cli = (cliArgs) => run(process.execPath, [join(root, 'bin', 'chainlake.mjs'), ...cliArgs]);

ensureNodeModules();
// `down` needs no build: stopping must not wait for a compile.
if (command !== 'down') ensureDist(say);
let code;
switch (command) {
  case 'up':
    code = cli(['up', ...args]);
    break;
  case 'down':
    code = cli(['down', ...args]);
    break;
  case 'test': {
    ensureChromium();
    const summary = join(mkdtempSync(join(tmpdir(), 'chainlake-summary-')), 'summary.txt');
    code = run(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      env: { ...process.env, NODE_ENV: 'test', CHAINLAKE_TEST_SUMMARY_FILE: summary },
    });
    // The closing line CI reads; a run that ended before the reporter wrote it counts as failed.
    const line = existsSync(summary) ? readFileSync(summary, 'utf8').trim() : '0 passed, 1 failed, 0 skipped';
    process.stdout.write(`\n${line}\n`);
    if (!existsSync(summary) && code === 0) code = 1;
    break;
  }
  case 'bench':
    code = cli(['bench', ...args]);
    break;
  default:
    say(`unknown command ${command} (expected up, down, test or bench)`);
    code = 2;
}
process.exit(code);
