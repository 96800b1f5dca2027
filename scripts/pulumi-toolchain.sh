#!/usr/bin/env bash
# Builds the Pulumi CLI and the Node.js language host from their Go modules (Pulumi's own
# binary downloads do not work on our machines) and caches them outside the checkout.
# clusterlab's resources are dynamic providers (components/core/docker), run by the
# pulumi-resource-pulumi-nodejs plugin written here; no provider plugin is downloaded or built
# (the Go module proxy refuses pulumi-docker, pulumi-command and pulumi-consul: docs/toolchain.md).
#
#   PULUMI_BIN="$(bash scripts/pulumi-toolchain.sh)"
#
# stdout: only the absolute bin dir (pulumi, pulumi-language-nodejs,
#         pulumi-resource-pulumi-nodejs, pulumi-analyzer-policy). Progress and timings go to stderr.
# Cache:  ${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}
#           go/mod, go/build            Go module and build caches
#           pulumi/<cli-version>/bin    the bin dir printed on stdout
#           pulumi-home/                default PULUMI_HOME (an exported PULUMI_HOME wins)
# Each binary is rebuilt only when its wrapper module (scripts/go/<name>), its version or
# the Go version changes; a warm run takes well under a second. See docs/toolchain.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
go_dir="$here/go"
CACHE="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
export PULUMI_HOME="${PULUMI_HOME:-$CACHE/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

log() { printf 'pulumi-toolchain: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Version of a module required by a wrapper module's go.mod.
required_version() { # <wrapper dir> <module path>
  awk -v m="$2" '($1 == m || ($1 == "require" && $2 == m)) { v = ($1 == m) ? $2 : $3 } END { print v }' \
    "$go_dir/$1/go.mod"
}

CLI_VERSION="$(required_version pulumi github.com/pulumi/pulumi/pkg/v3)"
NODEJS_HOST_VERSION="$(required_version pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3)"
CLI_VERSION="${CLI_VERSION#v}" NODEJS_HOST_VERSION="${NODEJS_HOST_VERSION#v}"
[[ -n "$CLI_VERSION" && -n "$NODEJS_HOST_VERSION" ]] || die "cannot read versions from scripts/go/*/go.mod"
SDK_VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

# --- fast path: a pulumi of the right version (with its language host) already on PATH ---------
# (Our own bin dir is skipped here: for it the build stamps below are the fast path, and they
# also notice a changed wrapper module.)
ambient_ok() {
  local p dir
  p="$(command -v pulumi 2>/dev/null)" || return 1
  dir="$(cd "$(dirname "$p")" && pwd)"
  [[ "$dir" != "$CACHE/pulumi/"* ]] || return 1
  [[ -x "$dir/pulumi-language-nodejs" && -x "$dir/pulumi-resource-pulumi-nodejs" && -x "$dir/pulumi-analyzer-policy" ]] || return 1
  [[ "$("$p" version 2>/dev/null)" == "v$CLI_VERSION" ]] || return 1
  echo "$dir"
}
if [[ "${CLUSTERLAB_TOOLCHAIN_REBUILD:-}" != 1 ]] && ambient="$(ambient_ok)"; then
  log "pulumi v$CLI_VERSION already installed: $ambient"
  echo "$ambient"
  exit 0
fi

# --- build -----------------------------------------------------------------------------------
command -v go >/dev/null || die "go is not installed"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
GO_VERSION="$(go env GOVERSION)"
BIN="$CACHE/pulumi/v$CLI_VERSION/bin"
mkdir -p "$BIN" "$PULUMI_HOME"

# One build at a time, also across concurrent callers (CI and a developer, two terminals).
exec 9>"$CACHE/.toolchain.lock"
flock 9

# Builds <main package> of wrapper module <dir> into <out> unless the stamp beside it says
# it was built from the same inputs. Returns 0 if it built, 1 if it was up to date.
go_build() { # <wrapper dir> <main package> <out> <-X variable> <version> [go.mod to build with]
  local dir="$go_dir/$1" pkg="$2" out="$3" var="$4" version="$5" modfile="${6:-}" key start
  local ldflags="-s -w -X $var=$version"
  key="$( {
    cat "$dir"/go.mod "$dir"/go.sum
    find "$dir" -name '*.go' -type f | LC_ALL=C sort | xargs -r cat
    echo "$pkg $ldflags $GO_VERSION"
  } | sha256sum | cut -d' ' -f1)"
  if [[ -x "$out" && -f "$out.stamp" && "$(cat "$out.stamp")" == "$key" ]]; then
    log "$(basename "$out") $version: up to date"
    return 1
  fi
  log "$(basename "$out") $version: building $pkg (logs: $out.log)"
  start=$SECONDS
  if ! (cd "$dir" && go build ${modfile:+-modfile="$modfile"} -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$out.log" 2>&1; then
    tail -n 30 "$out.log" >&2
    die "building $(basename "$out") failed"
  fi
  mv -f "$out.tmp" "$out"
  echo "$key" >"$out.stamp"
  log "$(basename "$out") $version: built in $((SECONDS - start))s"
}

go_build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "$BIN/pulumi" "$SDK_VERSION_VAR" "v$CLI_VERSION" || true
# The language host is built from a copy of its sdk/v3 module with one method added
# (scripts/go/pulumi-language-nodejs/patch/runplugin.go: RunPlugin, which the CLI uses to start
# policy packs). The copy and a go.mod that points at it live in the cache, not the checkout.
patched_nodejs_host_modfile() {
  local wrapper="$go_dir/pulumi-language-nodejs" src="$CACHE/src/pulumi-sdk-v$NODEJS_HOST_VERSION-runplugin"
  local upstream
  (cd "$wrapper" && go mod download github.com/pulumi/pulumi/sdk/v3) >&2
  upstream="$(cd "$wrapper" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  if ! cmp -s "$wrapper/patch/runplugin.go" "$src/nodejs/cmd/pulumi-language-nodejs/runplugin_clusterlab.go"; then
    rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$upstream" "$src" && chmod -R u+w "$src"
    sed -i 's/^func (host \*nodeLanguageHost) RunPlugin(/func (host *nodeLanguageHost) runPluginNotSupported(/' \
      "$src/nodejs/cmd/pulumi-language-nodejs/main.go"
    grep -q runPluginNotSupported "$src/nodejs/cmd/pulumi-language-nodejs/main.go" || die "RunPlugin not found in $upstream"
    sed '/^\/\/go:build clusterlab_patch$/d' "$wrapper/patch/runplugin.go" \
      >"$src/nodejs/cmd/pulumi-language-nodejs/runplugin_clusterlab.go"
  fi
  cp "$wrapper/go.mod" "$CACHE/src/pulumi-language-nodejs.go.mod"
  cp "$wrapper/go.sum" "$CACHE/src/pulumi-language-nodejs.go.sum"
  echo "replace github.com/pulumi/pulumi/sdk/v3 => $src" >>"$CACHE/src/pulumi-language-nodejs.go.mod"
  echo "$CACHE/src/pulumi-language-nodejs.go.mod"
}
go_build pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
  "$BIN/pulumi-language-nodejs" "$SDK_VERSION_VAR" "v$NODEJS_HOST_VERSION" "$(patched_nodejs_host_modfile)" || true

# The plugin that runs dynamic providers written with @pulumi/pulumi (pulumi.dynamic.Resource):
# Pulumi's release archives ship it as a small script next to the CLI.
cat >"$BIN/pulumi-resource-pulumi-nodejs.tmp" <<'SH'
#!/bin/sh
# Runs the dynamic provider host of the @pulumi/pulumi package that the program resolves.
script="$(node -e 'process.stdout.write(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"))')" || exit 1
exec node "$script" "$@"
SH
chmod +x "$BIN/pulumi-resource-pulumi-nodejs.tmp"
mv -f "$BIN/pulumi-resource-pulumi-nodejs.tmp" "$BIN/pulumi-resource-pulumi-nodejs"

# The analyzer that runs a Node.js policy pack (`pulumi preview --policy-pack policies`), also a
# small script in Pulumi's release archives; it starts in the pack's folder.
cat >"$BIN/pulumi-analyzer-policy.tmp" <<'SH'
#!/bin/sh
# Runs the policy pack host of the @pulumi/pulumi package that the policy pack resolves.
script="$(node -e 'process.stdout.write(require.resolve("@pulumi/pulumi/cmd/run-policy-pack"))')" || exit 1
exec node "$script" "$@"
SH
chmod +x "$BIN/pulumi-analyzer-policy.tmp"
mv -f "$BIN/pulumi-analyzer-policy.tmp" "$BIN/pulumi-analyzer-policy"

echo "$BIN"
