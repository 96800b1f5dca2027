#!/usr/bin/env bash
# From a fresh clone to a running stack: npm dependencies, the toolchain, then `pulumi up` with
# the project's policy pack, as `npm run review` previews it: the preview `up` starts with runs
# the pack, and a mandatory violation stops the update before any change.
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
ensure_secret_seed "$stack"
start=$SECONDS
# The pack compiled (scripts/policy-pack.sh: the same rules, quicker to start), with the stack's
# pack config where it has one (policies/config/README.md), as review/main.ts reads it.
policy=(--policy-pack "$(bash scripts/policy-pack.sh)")
[ ! -f "policies/config/$stack.json" ] || policy+=(--policy-pack-config "policies/config/$stack.json")
pulumi up --yes --stack "$stack" "${policy[@]}" "$@"
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
