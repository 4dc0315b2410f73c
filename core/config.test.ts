import { describe, expect, test } from 'vitest';
import { ConfigError, configSpec, parseConfig, topicNames } from './config.js';

describe('config', () => {
  test('defaults parse into typed values', () => {
    const c = parseConfig({});
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.KAFKA_PARTITIONS).toBe(3);
    expect(c.PUBLIC_READ).toBe(true);
    expect(c.ETH_RPC_URLS).toEqual([]);
    expect(c.START_BLOCK).toBe(0);
    expect(c.FINALITY_DEPTH).toBe(64);
  });

  test('parses lists, booleans and unions from strings', () => {
    const c = parseConfig({ ETH_RPC_URLS: 'http://a/x, http://b/y ,', PUBLIC_READ: 'false', START_BLOCK: 'latest' });
    expect(c.ETH_RPC_URLS).toEqual(['http://a/x', 'http://b/y']);
    expect(c.PUBLIC_READ).toBe(false);
    expect(c.START_BLOCK).toBe('latest');
  });

  test('an invalid value names the variable and the expected form', () => {
    let err: unknown;
    try {
      parseConfig({ KAFKA_PARTITIONS: 'three', CASSANDRA_REPLICATION: 'Bogus:1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('KAFKA_PARTITIONS');
    expect(msg).toContain('"three"');
    expect(msg).toContain('CASSANDRA_REPLICATION');
    expect(msg).toContain(configSpec.CASSANDRA_REPLICATION[2]);
  });

  test('values of secret-bearing variables never appear in errors', () => {
    const secret = 'https://eth.example/v2/SuperSecretKey123456789';
    let msg = '';
    try {
      parseConfig({ ADMIN_BOOTSTRAP_KEY: 'x', ETH_RPC_URLS: secret, SERVE_PORT: '99999' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('SERVE_PORT');
    expect(msg).not.toContain('SuperSecretKey');
  });

  test('topic names carry prefix and chain id', () => {
    expect(topicNames({ KAFKA_TOPIC_PREFIX: 'cl' }, 1)).toEqual({ blocks: 'cl.1.blocks.v1', dlq: 'cl.1.dlq.v1' });
  });
});
