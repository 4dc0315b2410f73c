// One prom-client registry per process, with default process metrics, all names
// prefixed chainlake_. Layers register their own metrics on the registry they are given.
import { Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'chainlake_';

export function createMetricsRegistry(labels: { process: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
