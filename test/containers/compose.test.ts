// Static checks of the container deployment files against the code they deploy: the env
// names and defaults of core/config.ts, the CLI commands, the Prometheus targets and the
// replication settings. No Docker engine is needed; the files are parsed as YAML. These
// tests fail when a config variable is renamed, a service is dropped, or a port, topic
// prefix or replication setting drifts between files.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { type Config, type ConfigKey, ConfigError, configSpec, parseConfig, topicNames } from '../../core/config.js';

const root = resolve(import.meta.dirname, '../..');
const hasDockerCli = spawnSync('docker', ['--version']).status === 0;
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

type Dict = Record<string, unknown>;
type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | { target: number; published?: number | string })[];
  volumes?: (string | { source?: string; target: string })[];
  secrets?: (string | { source: string })[];
  configs?: (string | { source: string; target?: string })[];
  networks?: string[] | Dict;
  deploy?: {
    replicas?: number;
    endpoint_mode?: string;
    resources?: { limits?: { cpus?: string; memory?: string } };
    placement?: { constraints?: string[] };
    restart_policy?: { condition?: string };
    update_config?: { order?: string; parallelism?: number };
  };
};
type ComposeFile = {
  version?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  configs?: Record<string, { file?: string }>;
  networks?: Record<string, unknown>;
};

/** Compose variable interpolation as `docker compose`/`docker stack deploy` do it, with an empty environment: `${X:-d}` → d, `$$` → `$`. */
function interpolate<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (m, name: string | undefined, def: string | undefined) => {
      if (m === '$$') return '$';
      if (def === undefined) throw new Error(`variable ${name} has no default in a compose file`);
      return def;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)])) as T;
  }
  return value;
}

const loadCompose = (rel: string): ComposeFile => interpolate(parse(read(rel), { merge: true }) as ComposeFile);

const envOf = (svc: Service): Record<string, string> => {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
};
const argv = (cmd: string | string[] | undefined): string[] => (cmd === undefined ? [] : Array.isArray(cmd) ? cmd : cmd.split(/\s+/));
const dependsOn = (svc: Service): Record<string, string | undefined> =>
  Array.isArray(svc.depends_on)
    ? Object.fromEntries(svc.depends_on.map((d) => [d, undefined]))
    : Object.fromEntries(Object.entries(svc.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
const healthTest = (svc: Service): string => argv(svc.healthcheck?.test).join(' ');
const named = (xs: (string | { source: string })[] | undefined): string[] => (xs ?? []).map((x) => (typeof x === 'string' ? x : x.source));
const volumeMounts = (svc: Service): { source: string; target: string }[] =>
  (svc.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
const hostPort = (s: string): { host: string; port: number } => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
};
/** The default of a config variable, parsed by its own schema (a number for ports). */
const configDefault = <K extends ConfigKey>(key: K): Config[K] => parseConfig({})[key];

/** The long-running chainlake processes: service name → CLI command → port variable. */
const CHAINLAKE_SERVICES = {
  ingest: { command: 'ingest', portVar: 'INGEST_METRICS_PORT' },
  views: { command: 'views', portVar: 'VIEWS_METRICS_PORT' },
  batch: { command: 'schedule', portVar: 'BATCH_METRICS_PORT' },
  serving: { command: 'serve', portVar: 'SERVE_PORT' },
} as const satisfies Record<string, { command: string; portVar: ConfigKey }>;
type ChainlakeService = keyof typeof CHAINLAKE_SERVICES;
const chainlakeNames = Object.keys(CHAINLAKE_SERVICES) as ChainlakeService[];

/** Every service running the chainlake image, whatever its name. */
function chainlakeServicesOf(file: ComposeFile): [string, Service][] {
  const reference = file.services.serving;
  return Object.entries(file.services).filter(
    ([, s]) => s.build !== undefined || (s.image !== undefined && s.image === reference?.image) || /(^|\/)chainlake(:|$)/.test(s.image ?? ''),
  );
}

/** Parse a service's environment with the real config schema; the test fails naming every invalid variable. */
function configOf(name: string, svc: Service): Config {
  try {
    return parseConfig(envOf(svc));
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`service ${name}: ${e.message}`);
    throw e;
  }
}

function sharedChecks(label: string, file: ComposeFile) {
  describe(`${label}: chainlake services`, () => {
    test('every chainlake process runs as its own service with its CLI command', () => {
      for (const name of chainlakeNames) {
        const svc = file.services[name];
        expect(svc, `service ${name} is missing`).toBeDefined();
        expect(argv(svc?.command)).toEqual([CHAINLAKE_SERVICES[name].command]);
      }
      const all = chainlakeServicesOf(file).map(([n]) => n);
      expect(all.sort()).toEqual([...chainlakeNames].sort());
    });

    test('every environment name is a variable of core/config.ts and every value passes its schema', () => {
      const known = new Set(Object.keys(configSpec));
      for (const [name, svc] of chainlakeServicesOf(file)) {
        const unknown = Object.keys(envOf(svc)).filter((k) => !known.has(k));
        expect(unknown, `service ${name} sets variables core/config.ts does not read`).toEqual([]);
        configOf(name, svc);
      }
    });

    test('processes bind to all interfaces and keep the default ports Prometheus scrapes', () => {
      for (const name of chainlakeNames) {
        const svc = file.services[name] as Service;
        const cfg = configOf(name, svc);
        expect(cfg.HOST, `${name}: HOST must be 0.0.0.0 to be reachable from other containers`).toBe('0.0.0.0');
        for (const portVar of ['SERVE_PORT', 'INGEST_METRICS_PORT', 'VIEWS_METRICS_PORT', 'BATCH_METRICS_PORT'] as const) {
          expect(cfg[portVar], `${name}: ${portVar}`).toBe(configDefault(portVar));
        }
      }
      expect(configDefault('SERVE_PORT')).toBe(8080);
    });

    test("each healthcheck asks /health on the service's own port", () => {
      for (const name of chainlakeNames) {
        const svc = file.services[name] as Service;
        const port = configOf(name, svc)[CHAINLAKE_SERVICES[name].portVar];
        expect(healthTest(svc)).toContain(`127.0.0.1:${port}/health`);
      }
    });

    test('serving publishes its configured port', () => {
      const svc = file.services.serving as Service;
      const port = configOf('serving', svc).SERVE_PORT;
      const targets = (svc.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').at(-1)) : p.target));
      expect(targets).toContain(port);
    });

    test('all services agree on topics, keyspace and stores, so ingest writes where views and batch read', () => {
      const configs = chainlakeServicesOf(file).map(([n, s]) => configOf(n, s));
      const shared = (c: Config) => ({
        topics: topicNames(c, 1),
        brokers: c.KAFKA_BROKERS,
        partitions: c.KAFKA_PARTITIONS,
        rf: c.KAFKA_REPLICATION_FACTOR,
        maxBytes: c.KAFKA_MAX_MESSAGE_BYTES,
        contactPoints: c.CASSANDRA_CONTACT_POINTS,
        dc: c.CASSANDRA_LOCAL_DC,
        keyspace: c.CASSANDRA_KEYSPACE,
        replication: c.CASSANDRA_REPLICATION,
        consistency: c.CASSANDRA_CONSISTENCY,
        lake: c.LAKE_DIR,
        finality: c.FINALITY_DEPTH,
      });
      const first = configs[0];
      expect(first).toBeDefined();
      for (const c of configs) expect(shared(c)).toEqual(shared(first as Config));
    });

    test('KAFKA_BROKERS and CASSANDRA_CONTACT_POINTS name services of this file', () => {
      const cfg = configOf('ingest', file.services.ingest as Service);
      for (const b of cfg.KAFKA_BROKERS) {
        const { host, port } = hostPort(b);
        const broker = file.services[host];
        expect(broker?.image, `broker ${b}`).toMatch(/^apache\/kafka:4\./);
        expect(envOf(broker as Service).KAFKA_ADVERTISED_LISTENERS).toMatch(new RegExp(`//${host}:${port}(,|$)`));
      }
      for (const cp of cfg.CASSANDRA_CONTACT_POINTS) {
        const { host, port } = hostPort(cp);
        expect(file.services[host]?.image, `contact point ${cp}`).toMatch(/^scylladb\/scylla:/);
        expect(port).toBe(9042);
      }
    });

    test('the brokers accept the largest block record the producer may send', () => {
      const cfg = configOf('ingest', file.services.ingest as Service);
      for (const b of cfg.KAFKA_BROKERS) {
        const env = envOf(file.services[hostPort(b).host] as Service);
        expect(Number(env.KAFKA_MESSAGE_MAX_BYTES)).toBeGreaterThanOrEqual(cfg.KAFKA_MAX_MESSAGE_BYTES);
        expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
      }
    });

    test('batch and serving share one lake volume mounted at LAKE_DIR', () => {
      const mountOf = (name: 'batch' | 'serving') => {
        const svc = file.services[name] as Service;
        const lakeDir = configOf(name, svc).LAKE_DIR;
        return volumeMounts(svc).find((m) => m.target === lakeDir);
      };
      const batch = mountOf('batch');
      const serving = mountOf('serving');
      expect(batch, 'batch mounts nothing at LAKE_DIR').toBeDefined();
      expect(serving?.source).toBe(batch?.source);
      expect(Object.keys(file.volumes ?? {})).toContain(batch?.source);
    });
  });

  describe(`${label}: every service`, () => {
    test('has a healthcheck', () => {
      for (const [name, svc] of Object.entries(file.services)) {
        expect(svc.healthcheck?.disable, name).not.toBe(true);
        expect(healthTest(svc).length, `service ${name} has no healthcheck`).toBeGreaterThan(0);
      }
    });

    test('refers only to declared volumes, secrets, configs and networks', () => {
      for (const [name, svc] of Object.entries(file.services)) {
        for (const { source } of volumeMounts(svc)) {
          if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
          else expect(Object.keys(file.volumes ?? {}), `${name}: volume ${source}`).toContain(source);
        }
        for (const s of named(svc.secrets)) expect(Object.keys(file.secrets ?? {}), `${name}: secret ${s}`).toContain(s);
        for (const c of named(svc.configs)) expect(Object.keys(file.configs ?? {}), `${name}: config ${c}`).toContain(c);
        const nets = Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
        for (const n of nets) expect(Object.keys(file.networks ?? {}), `${name}: network ${n}`).toContain(n);
      }
      for (const cfg of Object.values(file.configs ?? {})) if (cfg.file) expect(existsSync(join(root, cfg.file)), cfg.file).toBe(true);
    });
  });
}

describe('docker-compose.dev.yml', () => {
  const dev = loadCompose('docker-compose.dev.yml');
  sharedChecks('dev', dev);

  test('runs single-node ScyllaDB in developer mode on one shard', () => {
    const scylla = dev.services.scylla as Service;
    expect(scylla.image).toMatch(/^scylladb\/scylla:/);
    const args = argv(scylla.command).join(' ');
    expect(args).toContain('--developer-mode 1');
    expect(args).toContain('--smp 1');
  });

  test('runs Kafka 4.1.1 as one KRaft broker+controller with single-replica internal topics', () => {
    const env = envOf(dev.services.kafka as Service);
    expect(dev.services.kafka?.image).toBe('apache/kafka:4.1.1');
    expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    const cfg = configOf('ingest', dev.services.ingest as Service);
    expect(cfg.KAFKA_REPLICATION_FACTOR).toBe(1);
    expect(cfg.CASSANDRA_REPLICATION).toBe('SimpleStrategy:1');
  });

  test('builds the chainlake services from the Dockerfile', () => {
    for (const name of chainlakeNames) {
      const build = dev.services[name]?.build;
      const dockerfile = typeof build === 'string' ? join(build, 'Dockerfile') : join(build?.context ?? '.', build?.dockerfile ?? 'Dockerfile');
      expect(existsSync(join(root, dockerfile)), `${name} builds ${dockerfile}`).toBe(true);
    }
  });

  test('starts chainlake only after its stores (and ingest after the chain) report healthy', () => {
    for (const name of chainlakeNames) {
      const deps = dependsOn(dev.services[name] as Service);
      expect(deps.kafka, `${name} → kafka`).toBe('service_healthy');
      expect(deps.scylla, `${name} → scylla`).toBe('service_healthy');
    }
    expect(dependsOn(dev.services.ingest as Service).anvil).toBe('service_healthy');
    for (const [name, svc] of Object.entries(dev.services)) {
      for (const [dep, condition] of Object.entries(dependsOn(svc))) {
        expect(dev.services[dep], `${name} depends on missing ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(healthTest(dev.services[dep] as Service).length, `${dep} has no healthcheck`).toBeGreaterThan(0);
      }
    }
  });

  test('ingest follows the dev anvil chain, which a traffic generator keeps busy', () => {
    const anvil = dev.services.anvil as Service;
    expect(anvil.image).toMatch(/^ghcr\.io\/foundry-rs\/foundry:/);
    const anvilArgs = [...argv(anvil.entrypoint), ...argv(anvil.command)].join(' ');
    expect(anvilArgs).toMatch(/^anvil .*--host 0\.0\.0\.0/);
    const port = /--port (\d+)/.exec(anvilArgs)?.[1];
    expect(configOf('ingest', dev.services.ingest as Service).ETH_RPC_URLS).toEqual([`http://anvil:${port}`]);
    const traffic = dev.services.traffic as Service;
    expect(envOf(traffic).RPC).toBe(`http://anvil:${port}`);
    const script = argv(traffic.command).join('\n');
    expect(script).toContain('cast send');
    // The loop, after compose unescapes `$$`, is a syntactically valid POSIX shell script.
    const check = spawnSync('sh', ['-n'], { input: script });
    expect(check.status, check.stderr.toString()).toBe(0);
  });

  test('Prometheus loads the compose variant of the scrape config', () => {
    const mounts = volumeMounts(dev.services.prometheus as Service);
    const cfgMount = mounts.find((m) => m.target === '/etc/prometheus/prometheus.yml');
    expect(cfgMount?.source).toBe('./ops/prometheus/prometheus.docker.yml');
  });
});

describe('stack.prod.yml', () => {
  const prod = loadCompose('stack.prod.yml');
  sharedChecks('prod', prod);
  const ingestCfg = () => configOf('ingest', prod.services.ingest as Service);
  const kafkaNodes = () => Object.entries(prod.services).filter(([, s]) => /^apache\/kafka:/.test(s.image ?? ''));
  const scyllaNodes = () => Object.entries(prod.services).filter(([, s]) => /^scylladb\/scylla:/.test(s.image ?? ''));

  test('uses the compose 3.8 schema for docker stack deploy', () => {
    expect(prod.version).toBe('3.8');
  });

  // The docker CLI validates a stack file against its compose v3 schema without a daemon.
  test.skipIf(!hasDockerCli)("passes the docker CLI's own stack schema validation", () => {
    const result = spawnSync('docker', ['stack', 'config', '-c', join(root, 'stack.prod.yml')], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    const rendered = parse(result.stdout) as ComposeFile;
    expect(Object.keys(rendered.services).sort()).toEqual(Object.keys(prod.services).sort());
  });

  test('runs 3 KRaft nodes, each broker+controller, all in one controller quorum', () => {
    const nodes = kafkaNodes();
    expect(nodes.map(([n]) => n).sort()).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    const voters = nodes.map(([name, svc]) => {
      const env = envOf(svc);
      expect(svc.image).toBe('apache/kafka:4.1.1');
      expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
      const controllerPort = /CONTROLLER:\/\/[^:]*:(\d+)/.exec(env.KAFKA_LISTENERS ?? '')?.[1];
      return `${env.KAFKA_NODE_ID}@${name}:${controllerPort}`;
    });
    expect(new Set(nodes.map(([, s]) => envOf(s).KAFKA_NODE_ID)).size).toBe(3);
    expect(new Set(nodes.map(([, s]) => envOf(s).CLUSTER_ID)).size).toBe(1);
    for (const [, svc] of nodes) expect(envOf(svc).KAFKA_CONTROLLER_QUORUM_VOTERS?.split(',').sort()).toEqual(voters.sort());
  });

  test('replicates every topic 3 times with 2 in-sync replicas, matching the topics chainlake creates', () => {
    const cfg = ingestCfg();
    const nodes = kafkaNodes();
    for (const [name, svc] of nodes) {
      const env = envOf(svc);
      expect(Number(env.KAFKA_DEFAULT_REPLICATION_FACTOR), name).toBe(3);
      expect(Number(env.KAFKA_MIN_INSYNC_REPLICAS), name).toBe(2);
      expect(Number(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR), name).toBe(3);
      expect(Number(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR), name).toBe(3);
      expect(Number(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR), name).toBe(2);
      expect(cfg.KAFKA_REPLICATION_FACTOR).toBe(Number(env.KAFKA_DEFAULT_REPLICATION_FACTOR));
      expect(cfg.KAFKA_REPLICATION_FACTOR).toBeGreaterThan(Number(env.KAFKA_MIN_INSYNC_REPLICAS));
    }
    expect(cfg.KAFKA_REPLICATION_FACTOR).toBeLessThanOrEqual(nodes.length);
    expect(cfg.KAFKA_BROKERS.map((b) => hostPort(b).host).sort()).toEqual(nodes.map(([n]) => n).sort());
  });

  test('runs 3 ScyllaDB nodes seeded from one another, with keyspace RF 3 in the local DC at LOCAL_QUORUM', () => {
    const nodes = scyllaNodes();
    expect(nodes.map(([n]) => n).sort()).toEqual(['scylla-1', 'scylla-2', 'scylla-3']);
    for (const [name, svc] of nodes) {
      const args = argv(svc.command);
      const seeds = args[args.indexOf('--seeds') + 1]?.split(',') ?? [];
      expect(seeds.length, `${name} has no --seeds`).toBeGreaterThan(0);
      for (const s of seeds) expect(prod.services[s]?.image, `${name} seed ${s}`).toMatch(/^scylladb\/scylla:/);
    }
    const cfg = ingestCfg();
    expect(cfg.CASSANDRA_REPLICATION).toBe(`NetworkTopologyStrategy:${cfg.CASSANDRA_LOCAL_DC}=3`);
    expect(cfg.CASSANDRA_CONSISTENCY).toBe('LOCAL_QUORUM');
    expect(cfg.CASSANDRA_CONTACT_POINTS.map((c) => hostPort(c).host).sort()).toEqual(nodes.map(([n]) => n).sort());
  });

  test('closes public reads and takes stateful services to their own pinned nodes', () => {
    for (const name of chainlakeNames) expect(configOf(name, prod.services[name] as Service).PUBLIC_READ, name).toBe(false);
    for (const [name, svc] of [...kafkaNodes(), ...scyllaNodes()]) {
      expect(svc.deploy?.endpoint_mode, name).toBe('dnsrr');
      expect(svc.deploy?.update_config?.order, name).toBe('stop-first');
      const index = name.split('-')[1];
      expect(svc.deploy?.placement?.constraints?.join(' '), name).toContain(`== ${index}`);
      const data = volumeMounts(svc).map((m) => m.source);
      expect(data, `${name} keeps its data on its own volume`).toContain(`${name}-data`);
    }
  });

  test('runs one ingest and one batch, three views consumers and two serving replicas', () => {
    const replicas = Object.fromEntries(chainlakeNames.map((n) => [n, prod.services[n]?.deploy?.replicas]));
    expect(replicas).toEqual({ ingest: 1, views: 3, batch: 1, serving: 2 });
    // Singletons must never overlap during an update.
    expect(prod.services.ingest?.deploy?.update_config?.order).toBe('stop-first');
    expect(prod.services.batch?.deploy?.update_config?.order).toBe('stop-first');
    // Every views consumer of the shared group owns at least one partition.
    const views = configOf('views', prod.services.views as Service);
    expect(views.KAFKA_PARTITIONS).toBeGreaterThanOrEqual(replicas.views as number);
  });

  test('limits resources and sets placement, restart and update policies on every service', () => {
    for (const [name, svc] of Object.entries(prod.services)) {
      const d = svc.deploy;
      expect(d?.resources?.limits?.cpus, `${name} cpu limit`).toBeDefined();
      expect(d?.resources?.limits?.memory, `${name} memory limit`).toBeDefined();
      expect(d?.placement?.constraints?.length, `${name} placement`).toBeGreaterThan(0);
      expect(d?.restart_policy?.condition, `${name} restart policy`).toBeDefined();
      expect(d?.update_config?.order, `${name} update config`).toBeDefined();
    }
  });

  test('hands RPC URLs and the admin key over as secrets the entrypoint exports, never as plain env', () => {
    const declared = Object.keys(prod.secrets ?? {}).sort();
    const referenced = [...new Set(Object.values(prod.services).flatMap((s) => named(s.secrets)))].sort();
    expect(declared).toEqual(['admin_bootstrap_key', 'eth_rpc_urls']);
    expect(referenced).toEqual(declared);
    expect(named(prod.services.ingest?.secrets)).toContain('eth_rpc_urls');
    expect(named(prod.services.serving?.secrets)).toContain('admin_bootstrap_key');
    const wrapper = read('ops/docker-entrypoint.sh');
    for (const secret of declared) {
      const variable = secret.toUpperCase();
      expect(Object.keys(configSpec), `secret ${secret} feeds no config variable`).toContain(variable);
      expect(wrapper, `entrypoint does not export ${variable}`).toMatch(new RegExp(`for var in [^;]*\\b${variable}\\b`));
      for (const [name, svc] of Object.entries(prod.services)) expect(envOf(svc)[variable], `${name} sets ${variable} in plain env`).toBeUndefined();
    }
  });

  test('Prometheus ships the Swarm scrape config', () => {
    const prom = prod.services.prometheus as Service;
    const source = (prom.configs ?? []).find((c) => typeof c !== 'string' && c.target === '/etc/prometheus/prometheus.yml');
    const ref = typeof source === 'string' ? source : source?.source;
    expect(prod.configs?.[ref ?? '']?.file).toBe('./ops/prometheus/prometheus.swarm.yml');
  });
});

describe('Prometheus scrape configs', () => {
  type Scrape = {
    job_name: string;
    metrics_path?: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; port: number }[];
  };
  const jobsOf = (rel: string): Scrape[] => (parse(read(rel)) as { scrape_configs: Scrape[] }).scrape_configs;
  const targetsOf = (job: Scrape | undefined): string[] => [
    ...(job?.static_configs ?? []).flatMap((s) => s.targets),
    ...(job?.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
  ];
  const portOf = (name: ChainlakeService) => configDefault(CHAINLAKE_SERVICES[name].portVar);

  test('the local config scrapes every process at its default port on 127.0.0.1', () => {
    const jobs = jobsOf('ops/prometheus/prometheus.yml');
    for (const name of chainlakeNames) {
      const job = jobs.find((j) => j.job_name === name);
      expect(targetsOf(job), name).toEqual([`127.0.0.1:${portOf(name)}`]);
      expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    }
    expect(portOf('ingest')).toBe(9464);
    expect(portOf('views')).toBe(9465);
    expect(portOf('batch')).toBe(9466);
    expect(portOf('serving')).toBe(8080);
  });

  test('the compose config scrapes each dev service at its configured port', () => {
    const dev = loadCompose('docker-compose.dev.yml');
    const jobs = jobsOf('ops/prometheus/prometheus.docker.yml');
    for (const name of chainlakeNames) {
      const port = configOf(name, dev.services[name] as Service)[CHAINLAKE_SERVICES[name].portVar];
      expect(targetsOf(jobs.find((j) => j.job_name === name)), name).toEqual([`${name}:${port}`]);
    }
  });

  test('the Swarm config discovers every task of each prod service at its configured port', () => {
    const prod = loadCompose('stack.prod.yml');
    const jobs = jobsOf('ops/prometheus/prometheus.swarm.yml');
    for (const name of chainlakeNames) {
      const port = configOf(name, prod.services[name] as Service)[CHAINLAKE_SERVICES[name].portVar];
      expect(targetsOf(jobs.find((j) => j.job_name === name)), name).toEqual([`tasks.${name}:${port}`]);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const last = (op: string) => instructions.filter((l) => l.startsWith(`${op} `)).at(-1) ?? '';

  test('builds on node 20 bookworm-slim with runtime dependencies only, tsx among them', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toMatch(/^FROM node:20-bookworm-slim\b/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; bin: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
    expect(pkg.bin.chainlake).toBe('./bin/chainlake.mjs');
  });

  test('runs as a non-root user through the secrets wrapper, which execs bin/chainlake.mjs', () => {
    const user = last('USER');
    expect(user).toMatch(/^USER \S+/);
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(instructions.indexOf(user)).toBeLessThan(instructions.indexOf(last('ENTRYPOINT')));
    const entry = JSON.parse(last('ENTRYPOINT').slice('ENTRYPOINT '.length)) as string[];
    const copy = instructions.find((l) => l.startsWith('COPY ops/docker-entrypoint.sh '));
    expect(copy?.split(/\s+/).at(-1)).toBe(entry[0]);
    expect(read('ops/docker-entrypoint.sh')).toMatch(/exec node bin\/chainlake\.mjs "\$@"/);
    expect(JSON.parse(last('CMD').slice('CMD '.length))).toEqual(['serve']);
  });

  test('its HEALTHCHECK asks /health on the config ports, with the config defaults', () => {
    const hc = last('HEALTHCHECK');
    expect(hc).toContain('/health');
    const pairs = [...hc.matchAll(/e\.([A-Z_]+)\|\|(\d+)/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(pairs.map(([k]) => k).sort()).toEqual(Object.values(CHAINLAKE_SERVICES).map((s) => s.portVar).sort());
    for (const [key, port] of pairs) expect(port, key).toBe(configDefault(key as ConfigKey));
  });

  test('its HEALTHCHECK command passes while /health answers 200 and fails when nothing answers', async () => {
    const cmd = JSON.parse(last('HEALTHCHECK').replace(/^.*?\bCMD\s+/, '')) as string[];
    expect(cmd[0]).toBe('node');
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404);
      res.end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const closed = await new Promise<number>((ok) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => ok(p));
      });
    });
    const runCheck = (env: Record<string, string>) =>
      new Promise<number | null>((ok) => {
        const child = spawn(process.execPath, cmd.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
        child.on('exit', (code) => ok(code));
      });
    try {
      const others = { INGEST_METRICS_PORT: String(closed), VIEWS_METRICS_PORT: String(closed), BATCH_METRICS_PORT: String(closed) };
      expect(await runCheck({ ...others, SERVE_PORT: String(port) })).toBe(0);
      expect(await runCheck({ ...others, SERVE_PORT: String(closed) })).toBe(1);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  test('.dockerignore keeps what the entrypoint needs and drops local state', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'data', '.cache']) expect(patterns).toContain(p);
    for (const needed of ['bin', 'core', 'ops', 'ops/docker-entrypoint.sh', 'package.json', 'package-lock.json']) {
      expect(patterns.filter((p) => needed === p || needed.startsWith(`${p}/`)), needed).toEqual([]);
    }
  });
});

describe('ops/docker-entrypoint.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainlake-entrypoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'app');
  const secrets = join(dir, 'secrets');
  mkdirSync(join(home, 'bin'), { recursive: true });
  mkdirSync(secrets);
  // A stand-in for the CLI that reports what it received.
  writeFileSync(
    join(home, 'bin', 'chainlake.mjs'),
    'console.log(JSON.stringify({ argv: process.argv.slice(2), rpc: process.env.ETH_RPC_URLS ?? null, admin: process.env.ADMIN_BOOTSTRAP_KEY ?? null }));\n',
  );
  const wrapper = join(root, 'ops', 'docker-entrypoint.sh');
  const run = (args: string[], env: Record<string, string>) =>
    JSON.parse(
      execFileSync('sh', [wrapper, ...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CHAINLAKE_HOME: home, CHAINLAKE_SECRETS_DIR: secrets, ...env },
      }).toString(),
    ) as { argv: string[]; rpc: string | null; admin: string | null };

  test('exports secret files as config variables, without the trailing newline, and passes arguments through', () => {
    writeFileSync(join(secrets, 'eth_rpc_urls'), 'https://a.example/v2/KEY1,https://b.example/KEY2\n');
    writeFileSync(join(secrets, 'admin_bootstrap_key'), 'adm-secret');
    const out = run(['views', '--help'], {});
    expect(out).toEqual({ argv: ['views', '--help'], rpc: 'https://a.example/v2/KEY1,https://b.example/KEY2', admin: 'adm-secret' });
  });

  test('an explicitly set variable wins over the secret file; a missing file leaves the variable unset', () => {
    writeFileSync(join(secrets, 'eth_rpc_urls'), 'https://from-secret.example\n');
    rmSync(join(secrets, 'admin_bootstrap_key'), { force: true });
    const out = run(['serve'], { ETH_RPC_URLS: 'http://explicit:8545' });
    expect(out).toEqual({ argv: ['serve'], rpc: 'http://explicit:8545', admin: null });
  });
});
