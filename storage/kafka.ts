// Kafka client factory and topic admin (kafkajs). The only module that builds Kafka clients.
import { Kafka, logLevel, type Admin, type Producer, type LogEntry } from 'kafkajs';
import type { Config } from '../core/config.js';
import { topicNames } from '../core/config.js';
import type { Logger } from '../core/logger.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export type KafkaConfig = Pick<
  Config,
  'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_TOPIC_PREFIX' | 'KAFKA_PARTITIONS' | 'KAFKA_REPLICATION_FACTOR' | 'KAFKA_RETENTION_MS' | 'KAFKA_MAX_MESSAGE_BYTES'
>;

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(cfg: KafkaConfig, logger: Logger, clientSuffix?: string): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: clientSuffix ? `${cfg.KAFKA_CLIENT_ID}-${clientSuffix}` : cfg.KAFKA_CLIENT_ID,
    brokers: cfg.KAFKA_BROKERS,
    // kafkajs logs transient coordinator-loading errors at ERROR while it retries them; keep them at debug.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const transient = /coordinator is loading|coordinator is not available|not the correct coordinator|leader|rebalanc/i.test(String(rest.error ?? ''));
        log[transient ? 'debug' : (levelName[level] ?? 'info')]({ msg: message, ...rest });
      },
    retry: { initialRetryTime: 200, retries: 10 },
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
  });
}

/** An idempotent producer: retries never duplicate or reorder records within a partition. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  // kafkajs keeps exactly-once per partition only with unlimited retries; a send during a broker
  // outage therefore waits (callers advance checkpoints only after the ack) instead of failing.
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
}

/** Create the block and DLQ topics of a chain if missing, with partitions, retention and size from config. */
export async function ensureChainTopics(admin: Admin, cfg: KafkaConfig, chainId: number): Promise<{ blocks: string; dlq: string }> {
  const names = topicNames(cfg, chainId);
  await ensureTopic(admin, cfg, names.blocks, cfg.KAFKA_PARTITIONS);
  await ensureTopic(admin, cfg, names.dlq, 1);
  return names;
}

export async function ensureTopic(admin: Admin, cfg: KafkaConfig, topic: string, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: cfg.KAFKA_REPLICATION_FACTOR,
        configEntries: [
          { name: 'retention.ms', value: String(cfg.KAFKA_RETENTION_MS) },
          { name: 'max.message.bytes', value: String(cfg.KAFKA_MAX_MESSAGE_BYTES) },
          { name: 'cleanup.policy', value: 'delete' },
        ],
      },
    ],
  });
}

/** Producer-side size guard matching the topic's max.message.bytes. */
export const producerMaxBytes = (cfg: KafkaConfig) => cfg.KAFKA_MAX_MESSAGE_BYTES;
