#!/usr/bin/env bash
# Make sure a Docker engine answers, starting one on this machine when none does.
#
#   scripts/docker-engine.sh          # idempotent: a no-op when `docker info` already answers
#
# DOCKER_HOST is honoured: a remote engine (tcp://, ssh://) is only checked, never started;
# a unix:// socket that does not answer gets a local dockerd listening on it.
# Starting an engine needs Linux and root (CI and the dev machines run as root); the Debian
# package docker.io is installed when dockerd is missing. dockerd runs detached (setsid) and
# logs to $CACHE_DIR/dockerd.log, so it outlives this script and the shell that ran it.
#
# Env:
#   CLUSTERLAB_CACHE                    cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab)
#   CLUSTERLAB_DOCKER_STORAGE_DRIVER    force a storage driver (default: dockerd's own choice,
#                                       overlay2 on ext4/xfs; vfs as a last resort, see below)
#   CLUSTERLAB_DOCKER_WAIT_SECONDS      readiness bound (default 60)
#
# Seen on the polyglot CI machine (Firecracker VM, Debian 12, kernel 6.x, / on ext4):
# storage driver overlay2 works; cgroups are v1 (hybrid: v1 controllers plus an empty
# cgroup2 at /sys/fs/cgroup/unified), so dockerd runs with the cgroupfs driver.
set -euo pipefail

CACHE_DIR="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
LOG="$CACHE_DIR/dockerd.log"
WAIT_SECONDS="${CLUSTERLAB_DOCKER_WAIT_SECONDS:-60}"

say() { printf 'docker-engine: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

engine_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if engine_answers; then
  exit 0
fi

# Which socket would a local dockerd serve? Anything but unix:// is someone else's engine.
socket_url="${DOCKER_HOST:-unix:///var/run/docker.sock}"
case "$socket_url" in
  unix://*) ;;
  *) die "DOCKER_HOST=$socket_url does not answer 'docker info'; a remote engine cannot be started from here" ;;
esac
socket_path="${socket_url#unix://}"

[ "$(uname -s)" = Linux ] || die "no Docker engine answers and this is not Linux: start Docker Desktop (or set DOCKER_HOST) and retry"
[ "$(id -u)" = 0 ] || die "no Docker engine answers at $socket_url and starting one needs root: run 'sudo $0' or start the docker service"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  say "installing Debian's docker.io"
  command -v apt-get >/dev/null 2>&1 || die "dockerd is missing and there is no apt-get to install docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

mkdir -p "$CACHE_DIR"
# A pidfile per socket, so two engines on two sockets never share one.
pidfile=/var/run/docker.pid
[ "$socket_path" = /var/run/docker.sock ] || pidfile="$CACHE_DIR/dockerd-$(printf %s "$socket_path" | md5sum | cut -c1-8).pid"

dockerd_alive() {
  local pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [ -d "/proc/$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null
}

if dockerd_alive; then
  # Started earlier (by this script or anyone) and still coming up: wait for it, never start a second one.
  say "dockerd (pid $(cat "$pidfile")) is running but not answering yet; waiting"
else
  rm -f "$pidfile"
  args=(--host "$socket_url" --pidfile "$pidfile")
  if [ -n "${CLUSTERLAB_DOCKER_STORAGE_DRIVER:-}" ]; then
    args+=(--storage-driver "$CLUSTERLAB_DOCKER_STORAGE_DRIVER")
  elif ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    # Without overlayfs dockerd would pick vfs anyway; say it so the slow builds are explained.
    say "kernel has no overlayfs: using the vfs storage driver (every layer is a full copy, builds are slower)"
    args+=(--storage-driver vfs)
  fi
  if [ "$socket_path" != /var/run/docker.sock ]; then
    # A second engine needs its own state, or it fights the first one over /var/lib/docker.
    args+=(--data-root "$CACHE_DIR/docker-data" --exec-root "$CACHE_DIR/docker-exec")
  fi
  say "starting dockerd ${args[*]} (log: $LOG)"
  printf '\n==== %s dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$LOG"
  setsid nohup dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null &
  started_pid=$!
fi

started_pid="${started_pid:-}"
deadline=$((SECONDS + WAIT_SECONDS))
until engine_answers; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "dockerd did not answer within ${WAIT_SECONDS}s; last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  if [ -n "${started_pid:-}" ] && ! kill -0 "$started_pid" 2>/dev/null; then
    say "dockerd exited; last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done

say "engine ready: $(docker info --format 'storage={{.Driver}} cgroup={{.CgroupDriver}}/v{{.CgroupVersion}} server={{.ServerVersion}}' 2>/dev/null || echo '?')"
