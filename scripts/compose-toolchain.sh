#!/usr/bin/env bash
# Builds Docker Compose v2 from its Go module, for the benchmarks' side-by-side runs only
# (clusterlab itself never needs compose). Debian's docker-compose is v1, which has no
# `up --wait`; no binary download is reachable here. The wrapper module scripts/go/docker-compose
# exists because compose's go.mod has exclude lines, which `go install mod@version` refuses.
#
#   COMPOSE="$(bash scripts/compose-toolchain.sh)"    # the standalone docker-compose binary
#
# stdout: only the binary's absolute path. Cache: $CLUSTERLAB_CACHE/compose/<version>/, rebuilt
# only when the wrapper module or the Go version changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wrapper="$here/go/docker-compose"
CACHE="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
log() { printf 'compose-toolchain: %s\n' "$*" >&2; }

version="$(awk '$1 == "require" && $2 == "github.com/docker/compose/v2" { print $3 }' "$wrapper/go.mod")"
[[ -n "$version" ]] || { log "error: no compose version in $wrapper/go.mod"; exit 1; }
out="$CACHE/compose/$version"
bin="$out/docker-compose"
stamp="$(cat "$wrapper/go.mod" "$wrapper/go.sum" | sha256sum | cut -c1-16)-$(go env GOVERSION)"

mkdir -p "$out"
exec 9>"$CACHE/.compose.lock"
flock 9
if [[ -x "$bin" && "$(cat "$out/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  log "docker compose $version: up to date"
else
  log "building docker compose $version from its Go module (a few minutes the first time)"
  start=$SECONDS
  (cd "$wrapper" && GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" CGO_ENABLED=0 \
    GOFLAGS="-mod=readonly -buildvcs=false" \
    go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
      -o "$bin.tmp" github.com/docker/compose/v2/cmd)
  mv "$bin.tmp" "$bin"
  echo "$stamp" >"$out/.stamp"
  log "built in $((SECONDS - start))s"
fi
echo "$bin"
