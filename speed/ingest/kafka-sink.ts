// RecordSink over an idempotent kafkajs producer: one sendBatch per ingest batch, acks from
// all in-sync replicas, gzip. Block records and retractions go to the blocks topic keyed by
// block number (same partition per height, so a retraction precedes its replacement);
// undecodable blocks go to the DLQ topic.
import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { encodeRecord, recordKey } from '../../core/chain.js';
import type { Publication, RecordSink } from './types.js';

export function createKafkaSink(opts: { producer: Producer; topics: { blocks: string; dlq: string } }): RecordSink {
  return {
    async publish(publications: Publication[]) {
      const blocks: Message[] = [];
      const dlq: Message[] = [];
      for (const p of publications) {
        if (p.kind === 'record') blocks.push({ key: recordKey(p.record), value: encodeRecord(p.record) });
        else dlq.push({ key: String(p.entry.blockNumber), value: JSON.stringify(p.entry), headers: { 'chainlake-dlq-reason': p.entry.reason.split(':')[0] ?? 'undecodable', 'chainlake-dlq-consumer': 'ingest' } });
      }
      const topicMessages = [
        ...(blocks.length > 0 ? [{ topic: opts.topics.blocks, messages: blocks }] : []),
        ...(dlq.length > 0 ? [{ topic: opts.topics.dlq, messages: dlq }] : []),
      ];
      if (topicMessages.length === 0) return;
      await opts.producer.sendBatch({ acks: -1, compression: CompressionTypes.GZIP, topicMessages });
    },
  };
}
