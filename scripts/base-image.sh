#!/usr/bin/env bash
# Make sure the base image every images/<name>/Dockerfile builds FROM exists in the local engine.
#
#   scripts/base-image.sh [TAG]        # TAG default: $BASE_IMAGE, else debian:bookworm-slim
#
# 1. already in the engine: done.
# 2. `docker pull` with a short timeout (works where a registry is reachable).
# 3. otherwise build it: debootstrap --variant=minbase from the machine's own Debian mirror
#    (read from /etc/apt/sources.list{,.d/*.sources,.d/*.list}), trimmed and configured like the
#    official slim image, then `docker import`. The root tarball is cached in
#    $CACHE_DIR/base-images/, so a later run on the same machine (a fresh engine, a pruned
#    image) re-imports in seconds instead of bootstrapping again.
#
# Env:
#   BASE_IMAGE            tag, when no argument is given
#   BASE_SUITE            Debian suite to bootstrap (default bookworm)
#   DEBIAN_MIRROR         override the mirror read from apt's sources
#   CLUSTERLAB_CACHE      cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab)
#   BASE_PULL_TIMEOUT     seconds for the pull attempt (default 20)
#   BASE_REBUILD=1        ignore the cached tarball
#
# Measured on the polyglot machine (2 cores): the pull fails at once (no registry), bootstrap +
# import 28 s, re-import from the cached tarball (77 MB) 2 s; the image is 74 MB, about the
# size of the official slim one.
set -euo pipefail

TAG="${1:-${BASE_IMAGE:-debian:bookworm-slim}}"
SUITE="${BASE_SUITE:-bookworm}"
CACHE_DIR="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
TARBALL="$CACHE_DIR/base-images/$(printf %s "$TAG" | tr '/:@' '___').tar"
PULL_TIMEOUT="${BASE_PULL_TIMEOUT:-20}"

say() { printf 'base-image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
start=$SECONDS

docker info >/dev/null 2>&1 || die "no Docker engine answers: run scripts/docker-engine.sh first"

if docker image inspect "$TAG" >/dev/null 2>&1; then
  say "$TAG is already in the engine"
  exit 0
fi

if timeout "$PULL_TIMEOUT" docker pull -q "$TAG" >/dev/null 2>&1; then
  say "pulled $TAG in $((SECONDS - start))s"
  exit 0
fi
say "could not pull $TAG (no registry reachable?); building it from the Debian mirror"

# The first URI of apt's sources that serves $SUITE (the main archive) and, if any, the one that
# serves $SUITE-security. Both the one-line (.list) and deb822 (.sources) formats are read.
read_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $(i) "\t" $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas are separated by blank lines; print "uri<TAB>suite" for each pair.
    awk 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; suites = ""; enabled = 1; isdeb = 0
        for (n = 1; n <= NF; n++) {
          line = $n; sub(/#.*/, "", line)
          if (line ~ /^URIs:/)    { sub(/^URIs:[ \t]*/, "", line); uris = line }
          if (line ~ /^Suites:/)  { sub(/^Suites:[ \t]*/, "", line); suites = line }
          if (line ~ /^Types:/ && line ~ /(^|[ \t])deb([ \t]|$)/) isdeb = 1
          if (line ~ /^Enabled:[ \t]*no/) enabled = 0
        }
        if (!isdeb || !enabled) next
        nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
        for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) if (u[a] != "" && s[b] != "") print u[a] "\t" s[b]
      }' "$f"
  done
}
sources="$(read_sources)"
MIRROR="${DEBIAN_MIRROR:-$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")}"
SECURITY_MIRROR="$(awk -v s="$SUITE-security" '$2 == s { print $1; exit }' <<<"$sources")"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
MIRROR="${MIRROR%/}"
served() { timeout 15 curl -fsSI "$1/dists/$2/Release" >/dev/null 2>&1; }
if [ -z "$SECURITY_MIRROR" ] && served "${MIRROR%/debian}/debian-security" "$SUITE-security"; then
  SECURITY_MIRROR="${MIRROR%/debian}/debian-security"
fi
SECURITY_MIRROR="${SECURITY_MIRROR%/}"
suites="$SUITE"
served "$MIRROR" "$SUITE-updates" && suites="$suites $SUITE-updates"
say "mirror: $MIRROR ($suites)${SECURITY_MIRROR:+, security: $SECURITY_MIRROR}"

if [ -s "$TARBALL" ] && [ -z "${BASE_REBUILD:-}" ]; then
  say "re-importing cached $TARBALL"
else
  [ "$(id -u)" = 0 ] || die "building the base image needs root (debootstrap)"
  if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq debootstrap >/dev/null
  fi
  mkdir -p "$(dirname "$TARBALL")"
  root="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  say "debootstrap --variant=minbase $SUITE $root $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 \
    || { tail -n 30 "$root.log" >&2; rm -f "$root.log"; die "debootstrap failed"; }
  rm -f "$root.log"

  # apt sources as the official image has them (deb822), on this machine's mirror.
  rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$MIRROR" "$suites"
    if [ -n "$SECURITY_MIRROR" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$SECURITY_MIRROR" "$SUITE"
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
  # A mirror that is a dated snapshot has an expired Release file; trust it as the host does.
  if [[ "$(apt-config dump 2>/dev/null)" == *'Acquire::Check-Valid-Until "false"'* ]]; then
    printf 'Acquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/99clusterlab-mirror"
  fi

  # What debuerreotype does for the official slim image: no daemons started by package
  # scripts, apt caches cleaned after every install, no docs/man/locales from later installs.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\n' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  printf 'Apt::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
  chroot "$root" apt-get clean
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,info,groff,lintian,linda}/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/var/log/* "$root"/tmp/* "$root"/root/.bash_history
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  # Docker provides these per container.
  : >"$root/etc/resolv.conf"; : >"$root/etc/hostname"; : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"

  tar --numeric-owner -C "$root" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$root"
  trap - EXIT
fi

docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --message "debootstrap --variant=minbase $SUITE $MIRROR (clusterlab scripts/base-image.sh)" \
  "$TARBALL" "$TAG" >/dev/null
say "imported $TAG in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
