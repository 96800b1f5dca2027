#!/usr/bin/env bash
# One idempotent entry for everything a real `pulumi up` needs on this machine:
# a Docker engine, the base image, and the Pulumi CLI, language host and provider plugins.
#
#   eval "$(bash scripts/toolchain.sh)"     # sets PATH, PULUMI_HOME and Pulumi's no-download switches
#
# Progress goes to stderr; stdout is only the `export` lines, so the eval above is safe.
# Everything built is cached under $CLUSTERLAB_CACHE (default ~/.cache/clusterlab): a second
# run on the same machine takes seconds. Each step prints its time, so growth is visible.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE_DIR="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
mkdir -p "$CACHE_DIR"

step() {
  local name="$1"; shift
  local start=$SECONDS
  "$@"
  printf 'toolchain: %-16s %4ds\n' "$name" $((SECONDS - start)) >&2
}

step docker-engine bash "$here/docker-engine.sh"
step base-image bash "$here/base-image.sh" "${BASE_IMAGE:-debian:bookworm-slim}"
pulumi_bin=""
# Two of the exports below are speed, measured by bench/ (bench/README.md):
# - PULUMI_NODEJS_TRANSPILE_ONLY: the program is type checked by `npm run typecheck` (and CI);
#   checking it again on every preview/up/destroy cost ~10 s each on 2 cores.
# - PULUMI_PARALLEL: Pulumi's default is 4 operations per core (8 here), but ours are waits on
#   the Docker engine (a container becoming healthy), not CPU: ten nodes would start in two waves.
capture_pulumi_bin() { pulumi_bin="$(bash "$here/pulumi-toolchain.sh")"; }
step pulumi capture_pulumi_bin

cat <<ENV
export PATH="$pulumi_bin:\$PATH"
export PULUMI_HOME="${PULUMI_HOME:-$CACHE_DIR/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_NODEJS_TRANSPILE_ONLY=true
export PULUMI_PARALLEL=64
ENV
