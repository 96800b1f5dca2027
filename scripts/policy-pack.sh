#!/usr/bin/env bash
# Prints the folder of the project's policy pack compiled to JavaScript, building it first when a
# source is newer than the last build:
#
#   pulumi up --policy-pack "$(bash scripts/policy-pack.sh)"
#
# Why compiled: Pulumi runs a TypeScript pack through ts-node with type checking forced on
# (@pulumi/pulumi's run-policy-pack), which adds 3-4 s to every preview and up on these
# machines; the compiled pack adds about 1 s (measured on a one-node OAR up: +3.5 s against
# +1.3 s). Types are checked by `npm run typecheck`, as for the program (scripts/toolchain.sh).
# `--policy-pack policies` runs the same rules from source, only slower to start.
#
# The build goes to bin/policy-pack (ignored by git) inside the checkout, so that the pack finds
# @pulumi/policy in the checkout's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bin/policy-pack
stamp="$out/.built"
stale() {
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find policies components package-lock.json -newer "$stamp" \( -name '*.ts' -o -name '*.json' -o -name '*.yaml' \) -print -quit)" ]
}
if stale; then
  mkdir -p bin
  build="$(mktemp -d bin/policy-pack.XXXXXX)"
  trap 'rm -rf "$build"' EXIT
  npx tsc -p policies/tsconfig.json --outDir "$build" --noCheck --declaration false --sourceMap false >&2
  cp policies/PulumiPolicy.yaml "$build/policies/"
  # The pack's name and version come from its package.json (PolicyPack refuses one without a version).
  node -e '
    const source = require("./policies/package.json");
    const built = { name: source.name, version: source.version, description: source.description, main: "index.js", private: true };
    require("fs").writeFileSync(process.argv[1], JSON.stringify(built, null, 2) + "\n");' "$build/policies/package.json"
  touch "$build/.built"
  # Whole or not at all: a concurrent run sees the old build or the new one, never half of one.
  rm -rf "$out.old" && { [ ! -d "$out" ] || mv "$out" "$out.old"; } && mv "$build" "$out" && rm -rf "$out.old"
  trap - EXIT
fi
echo "$(pwd)/$out/policies"
