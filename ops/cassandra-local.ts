// One local Apache Cassandra 5.0 node (the stand-in for ScyllaDB: same CQL protocol and
// driver) from the Maven jars, bound to 127.0.0.1, small heap, fast single-node start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureJars } from './jars.js';
import type { ProcSpec } from './procs.js';

export type CassandraLocalOptions = {
  dataDir: string;
  cacheDir: string;
  port: number;
  storagePort: number;
  jmxPort: number;
  heap: string;
  host: string;
};

// Module access Cassandra needs on Java 17 (its conf/jvm17-server.options).
const JAVA17_OPTS = [
  '-Djdk.attach.allowAttachSelf=true',
  ...[
    'java.base/jdk.internal.misc',
    'java.base/jdk.internal.ref',
    'java.base/sun.nio.ch',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
  ].flatMap((m) => ['--add-exports', `${m}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.nio',
    'java.base/java.util.concurrent',
    'java.base/java.util',
    'java.base/java.util.concurrent.atomic',
    'java.base/java.lang',
    'java.base/java.math',
    'java.base/java.lang.reflect',
    'java.base/java.net',
  ].flatMap((m) => ['--add-opens', `${m}=ALL-UNNAMED`]),
];

export function prepareCassandra(o: CassandraLocalOptions, log: (m: string) => void): ProcSpec {
  const jars = ensureJars(o.cacheDir, 'cassandra', log);
  const home = resolve(o.dataDir, 'cassandra');
  for (const d of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw']) mkdirSync(join(home, d), { recursive: true });
  const yaml = join(home, 'cassandra.yaml');
  writeFileSync(
    yaml,
    `cluster_name: chainlake-local
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories: [${join(home, 'data')}]
commitlog_directory: ${join(home, 'commitlog')}
saved_caches_directory: ${join(home, 'saved_caches')}
hints_directory: ${join(home, 'hints')}
cdc_raw_directory: ${join(home, 'cdc_raw')}
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${o.host}:${o.storagePort}"
listen_address: ${o.host}
rpc_address: ${o.host}
storage_port: ${o.storagePort}
native_transport_port: ${o.port}
start_native_transport: true
endpoint_snitch: SimpleSnitch
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
write_request_timeout: 10000ms
read_request_timeout: 10000ms
range_request_timeout: 20000ms
batch_size_warn_threshold: 64KiB
batch_size_fail_threshold: 1024KiB
unlogged_batch_across_partitions_warn_threshold: 1000
tombstone_warn_threshold: 100000
concurrent_compactors: 1
auto_snapshot: false
`,
  );
  const logback = join(home, 'logback.xml');
  writeFileSync(
    logback,
    `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
  <logger name="org.apache.cassandra.db.compaction" level="WARN"/>
</configuration>
`,
  );
  return {
    name: 'cassandra',
    command: 'java',
    args: [
      `-Xms${o.heap}`,
      `-Xmx${o.heap}`,
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Xss512k',
      ...JAVA17_OPTS,
      `-Dcassandra.config=file://${yaml}`,
      `-Dlogback.configurationFile=${logback}`,
      '-Dcassandra-foreground=yes',
      `-Dcassandra.storagedir=${home}`,
      `-Dcassandra.jmx.local.port=${o.jmxPort}`,
      '-Dcassandra.skip_wait_for_gossip_to_settle=0',
      '-Dcassandra.ring_delay_ms=1000',
      '-cp',
      `${jars}/*`,
      'org.apache.cassandra.service.CassandraDaemon',
    ],
  };
}
