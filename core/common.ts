// The one object passed down to every component (ponder's Common): options, logger,
// metrics, shutdown. No module reads process.env on its own.
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Shutdown } from './shutdown.js';

export type Common = {
  config: Config;
  logger: Logger;
  metrics: Registry;
  shutdown: Shutdown;
};
