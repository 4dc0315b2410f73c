# chainlake: one image for every long-running process. The service decides the command:
#   serve | ingest | views | schedule   (see docker-compose.dev.yml and stack.prod.yml)
# TypeScript runs through tsx (a runtime dependency); there is no build step.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Runtime dependencies only; native packages (DuckDB bindings, esbuild) resolve for this platform.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/chainlake \
    LAKE_DIR=/var/lib/chainlake/lake \
    CACHE_DIR=/tmp/chainlake-cache

COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY ops/docker-entrypoint.sh /usr/local/bin/chainlake-entrypoint

# The lake directory exists in the image, owned by the runtime user, so a fresh named
# volume mounted there inherits that ownership.
RUN chmod 0755 /usr/local/bin/chainlake-entrypoint \
 && mkdir -p /var/lib/chainlake/lake /tmp/chainlake-cache \
 && chown -R node:node /var/lib/chainlake /tmp/chainlake-cache

USER node

# serving: API + dashboard; ingest / views / batch: /metrics, /health, /ready.
EXPOSE 8080 9464 9465 9466

# One process per container, so the container is alive when whichever of the configured
# ports it serves answers /health. Compose files narrow this to the one port per service.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const e=process.env;const ports=[e.SERVE_PORT||8080,e.INGEST_METRICS_PORT||9464,e.VIEWS_METRICS_PORT||9465,e.BATCH_METRICS_PORT||9466];Promise.any(ports.map((p)=>fetch('http://127.0.0.1:'+p+'/health',{signal:AbortSignal.timeout(4000)}).then((r)=>{if(!r.ok)throw new Error(String(r.status))}))).then(()=>process.exit(0),()=>process.exit(1))"]

# The wrapper turns Docker secrets into the env variables core/config.ts reads, then
# execs `node bin/chainlake.mjs "$@"` so node is PID 1 and receives SIGTERM directly.
ENTRYPOINT ["/usr/local/bin/chainlake-entrypoint"]
CMD ["serve"]
