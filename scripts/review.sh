#!/usr/bin/env bash
# `npm run review -- --stack <name> [--out review.md]`: preview with the policy pack, as Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stack-file.sh
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--stack" ] && [ $((i + 1)) -lt ${#args[@]} ]; then
    require_stack_file "${args[$((i + 1))]}"
  fi
done
bash scripts/npm-deps.sh
eval "$(bash scripts/toolchain.sh)"
source scripts/local-backend.sh
exec node -r ts-node/register/transpile-only review/main.ts "$@"
