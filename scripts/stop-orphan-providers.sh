#!/usr/bin/env bash
# Stops the dynamic-provider processes that a killed `pulumi` left running for programs under a
# folder (default: this checkout):
#
#   bash scripts/stop-orphan-providers.sh [FOLDER]
#
# Pulumi runs clusterlab's providers in a `node …/cmd/dynamic-provider/index.js` child. When the
# CLI dies without stopping it (SIGKILL, a closed session), that child lives on: CI found four
# still alive an hour after its cut-short `up`s, and one may still be creating or starting a
# container that the next refresh would not see. A provider is an orphan when no `pulumi`
# process is among its ancestors; one whose CLI still runs is never touched. Only the folder's
# programs are matched (by the process's working directory), so other projects' providers on
# the same machine are left alone.
set -euo pipefail
folder="$(cd "${1:-$(dirname "$0")/..}" && pwd -P)"

has_pulumi_ancestor() {
  local pid="$1"
  while [ "$pid" -gt 1 ] 2>/dev/null; do
    pid="$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" || return 1
    [ -n "$pid" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pulumi ] && return 0
  done
  return 1
}

# Node running the provider host itself, not any command line that merely mentions it.
for pid in $(pgrep -f '^([^ ]*/)?node [^ ]*/cmd/dynamic-provider/index\.js( |$)' || true); do
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || continue
  case "$cwd/" in "$folder"/*) ;; *) continue ;; esac
  has_pulumi_ancestor "$pid" && continue
  echo "stop-orphan-providers: stopping pid $pid, a dynamic provider of a pulumi that no longer runs (in $cwd)" >&2
  kill "$pid" 2>/dev/null || true
done
