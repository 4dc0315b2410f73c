// Resolves Kafka and Cassandra jars from Maven Central with `mvn dependency:copy-dependencies`
// (poms in ops/kafka, ops/cassandra) into CACHE_DIR/jars/<name>. Second run: no download.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type JarSet = 'kafka' | 'cassandra';

export function jarDir(cacheDir: string, set: JarSet): string {
  return resolve(cacheDir, 'jars', set);
}

export function ensureJars(cacheDir: string, set: JarSet, log: (msg: string) => void = () => {}): string {
  const dir = jarDir(cacheDir, set);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  const pom = resolve('ops', set, 'pom.xml');
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0)
    throw new Error('Maven (mvn) is not installed: it is needed once to download the Kafka/Cassandra jars (apt-get install -y maven)');
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0)
    throw new Error('Java is not installed: Kafka and Cassandra need Java 17 (apt-get install -y openjdk-17-jre-headless)');
  log(`Resolving ${set} jars from Maven Central (first run only)...`);
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`Resolving ${set} jars failed (mvn exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  const n = readdirSync(dir).filter((f) => f.endsWith('.jar')).length;
  writeFileSync(marker, `${n} jars\n`);
  log(`Resolved ${n} ${set} jars into ${dir}`);
  return dir;
}
