#!/bin/sh
# Container entrypoint of the chainlake image.
#
# core/config.ts reads environment variables only. Docker/Swarm secrets arrive as files
# under /run/secrets/<name>; for each secret-bearing variable below, when the variable is
# empty and /run/secrets/<lowercase name> exists, export the file's content (trailing
# newline stripped) as the variable. An explicitly set variable always wins.
# Values are never echoed.
set -eu

SECRETS_DIR="${CHAINLAKE_SECRETS_DIR:-/run/secrets}"

for var in ETH_RPC_URLS ETH_WS_URL ADMIN_BOOTSTRAP_KEY CASSANDRA_PASSWORD; do
  file="$SECRETS_DIR/$(printf '%s' "$var" | tr 'A-Z' 'a-z')"
  eval "current=\${$var:-}"
  if [ -z "$current" ] && [ -r "$file" ]; then
    value="$(cat "$file")"
    export "$var=$value"
  fi
done
unset var file current value

cd "${CHAINLAKE_HOME:-/app}"
exec node bin/chainlake.mjs "$@"
