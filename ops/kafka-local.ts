// One local Kafka 4.x broker+controller in KRaft mode (no ZooKeeper) from the Maven jars.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureJars } from './jars.js';
import { portOpen, type ProcSpec } from './procs.js';

export type KafkaLocalOptions = { dataDir: string; cacheDir: string; port: number; controllerPort: number; heap: string; host: string };

export function kafkaHome(dataDir: string) {
  return resolve(dataDir, 'kafka');
}

/** Writes config, formats storage once, and returns how to start the broker. */
export function prepareKafka(o: KafkaLocalOptions, log: (m: string) => void): ProcSpec {
  const jars = ensureJars(o.cacheDir, 'kafka', log);
  const home = kafkaHome(o.dataDir);
  const logs = join(home, 'data');
  mkdirSync(logs, { recursive: true });
  const props = join(home, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${o.host}:${o.controllerPort}`,
      `listeners=PLAINTEXT://${o.host}:${o.port},CONTROLLER://${o.host}:${o.controllerPort}`,
      `advertised.listeners=PLAINTEXT://${o.host}:${o.port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${logs}`,
      'num.partitions=1',
      // Single node: internal topics must have RF 1 or the group coordinator never becomes available (kafkajs#1752).
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'message.max.bytes=16777216',
      'replica.fetch.max.bytes=16777216',
      'log.retention.check.interval.ms=60000',
      'num.network.threads=2',
      'num.io.threads=4',
      '',
    ].join('\n'),
  );
  const log4j = join(home, 'log4j2.yaml');
  writeFileSync(
    log4j,
    'Configuration:\n  Appenders:\n    Console:\n      name: STDOUT\n      PatternLayout:\n        pattern: "[%d] %p %m (%c)%n"\n  Loggers:\n    Root:\n      level: INFO\n      AppenderRef:\n        - ref: STDOUT\n    Logger:\n      - name: kafka.request.logger\n        level: WARN\n      - name: org.apache.kafka.controller\n        level: WARN\n',
  );
  const cp = `${jars}/*`;
  if (!existsSync(join(logs, 'meta.properties'))) {
    const uuid = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).stdout.trim().split('\n').pop() ?? '';
    const fmt = spawnSync('java', ['-cp', cp, `-Dlog4j2.configurationFile=${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', uuid, '-c', props], {
      encoding: 'utf8',
    });
    if (fmt.status !== 0) throw new Error(`Formatting Kafka storage failed:\n${(fmt.stdout + fmt.stderr).slice(-1500)}`);
  }
  return {
    name: 'kafka',
    command: 'java',
    args: [
      `-Xms${o.heap}`,
      `-Xmx${o.heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4j}`,
      `-Dkafka.logs.dir=${home}`,
      '-cp',
      cp,
      'kafka.Kafka',
      props,
    ],
  };
}

export const kafkaPortOpen = (o: Pick<KafkaLocalOptions, 'port' | 'host'>) => portOpen(o.port, o.host);
