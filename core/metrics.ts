// One prom-client registry per process, with default process metrics, all names
// prefixed chainlake_. Layers register their own metrics on the registry they are given,
// through counter/gauge/histogram: get-or-create, so a second factory call in the same
// process (tests, a restarted component) reuses the metric, and each name is written once.
import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

export const METRIC_PREFIX = 'chainlake_';

export function createMetricsRegistry(labels: { process: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

type Without<C> = Omit<C, 'registers'>;

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const counter = <L extends string = string>(registry: Registry, cfg: Without<CounterConfiguration<L>>): Counter<L> =>
  getOrCreate(registry, cfg.name, () => new Counter<L>({ ...cfg, registers: [registry] }));

export const gauge = <L extends string = string>(registry: Registry, cfg: Without<GaugeConfiguration<L>>): Gauge<L> =>
  getOrCreate(registry, cfg.name, () => new Gauge<L>({ ...cfg, registers: [registry] }));

export const histogram = <L extends string = string>(registry: Registry, cfg: Without<HistogramConfiguration<L>>): Histogram<L> =>
  getOrCreate(registry, cfg.name, () => new Histogram<L>({ ...cfg, registers: [registry] }));
