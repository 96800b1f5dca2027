#!/usr/bin/env bash
# Destroys a stack made by scripts/up.sh and checks that nothing labelled with it is left.
#
#   bash scripts/down.sh [STACK]     # STACK default: local
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-local}"
source scripts/stack-file.sh
require_stack_file "$stack"
bash scripts/npm-deps.sh
eval "$(bash scripts/toolchain.sh)"
source scripts/local-backend.sh
start=$SECONDS
pulumi destroy --yes --stack "$stack"
echo "destroy: $((SECONDS - start))s" >&2
left="$(docker ps -aq --filter "label=clusterlab.stack=$stack"; docker network ls -q --filter "label=clusterlab.stack=$stack"; docker volume ls -q --filter "label=clusterlab.stack=$stack")"
if [ -n "$left" ]; then
  echo "down: left behind with label clusterlab.stack=$stack:" >&2
  echo "$left" >&2
  exit 1
fi
