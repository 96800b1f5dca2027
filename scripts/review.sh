#!/usr/bin/env bash
# `npm run review -- --stack <name> [--out review.md]`: preview with the policy pack, as Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/npm-deps.sh
eval "$(bash scripts/toolchain.sh)"
source scripts/local-backend.sh
exec node -r ts-node/register/transpile-only review/main.ts "$@"
