#!/usr/bin/env bash
# From a fresh clone to a running stack: npm dependencies, the toolchain, then `pulumi up`.
#
#   bash scripts/up.sh [STACK] [extra pulumi up flags]     # STACK default: local
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-local}"
shift || true
source scripts/stack-file.sh
require_stack_file "$stack"
bash scripts/npm-deps.sh
eval "$(bash scripts/toolchain.sh)"
source scripts/local-backend.sh
pulumi stack select --create "$stack" >/dev/null
start=$SECONDS
pulumi up --yes --stack "$stack" "$@"
echo "up: $((SECONDS - start))s" >&2
# Each cluster's outputs, one per line, strings as they are: URLs to open, commands to paste.
pulumi stack output --stack "$stack" --json | node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    for (const [cluster, outputs] of Object.entries(JSON.parse(text).clusters ?? {})) {
      for (const [key, value] of Object.entries(outputs)) {
        console.log(`${cluster}.${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
      }
    }
  });'
