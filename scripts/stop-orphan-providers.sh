#!/usr/bin/env bash
# Stops the plugin processes that a killed `pulumi` left running for programs under a folder
# (default: this checkout): resource providers (`pulumi-resource-docker`, the Node dynamic
# provider), language hosts and the programs they ran.
#
#   bash scripts/stop-orphan-providers.sh [FOLDER]
#
# Pulumi runs each plugin as a child in the program's folder. When the CLI dies without stopping
# them (SIGKILL, a closed session), they live on: CI found dynamic providers alive an hour after
# cut-short `up`s, and later twelve `pulumi-resource-docker` and language hosts after the fault
# suites' interrupted ones. A provider may still be creating or starting a container that the
# next refresh would not see. A plugin is an orphan when no `pulumi` process is among its
# ancestors; one whose CLI still runs is never touched. Only the folder's programs are matched
# (by the process's working directory), so other projects' plugins on the same machine are left
# alone.
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

# The plugin binary itself, or Node running the provider host or a program, not any command line
# that merely mentions one.
plugins='^(([^ ]*/)?pulumi-(resource|language)-[a-z0-9-]+|([^ ]*/)?node .*/@pulumi/pulumi/cmd/(dynamic-provider|run|run-plugin|run-policy-pack)(/index\.js)?)( |$)'
stopped=()
for pid in $(pgrep -f "$plugins" || true); do
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || continue
  case "$cwd/" in "$folder"/*) ;; *) continue ;; esac
  has_pulumi_ancestor "$pid" && continue
  echo "stop-orphan-providers: stopping pid $pid, a plugin of a pulumi that no longer runs (in $cwd)" >&2
  kill "$pid" 2>/dev/null || true
  stopped+=("$pid")
done

# Gone before the caller refreshes: one still making a container would make it behind the
# refresh's back. A plugin that outlives SIGTERM by 10 s gets SIGKILL. (A zombie has no
# environment or cwd left, and counts as gone: its parent, pid 1 here, reaps it or not.)
running() { [ -r "/proc/$1/cwd" ] && readlink "/proc/$1/cwd" >/dev/null 2>&1; }
for _ in $(seq 100); do
  left=()
  for pid in "${stopped[@]}"; do running "$pid" && left+=("$pid"); done
  [ "${#left[@]}" -eq 0 ] && exit 0
  sleep 0.1
done
echo "stop-orphan-providers: pid(s) ${left[*]} outlived SIGTERM by 10 s: SIGKILL" >&2
kill -KILL "${left[@]}" 2>/dev/null || true
