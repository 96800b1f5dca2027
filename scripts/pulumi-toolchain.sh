#!/usr/bin/env bash
# Builds the Pulumi CLI and the Node.js language host from their Go modules (Pulumi's own
# binary downloads do not work on our machines) and caches them outside the checkout. Builds
# the resource plugin pulumi-resource-docker (what @pulumi/docker 5.2.0 needs) by bridging the
# Terraform Docker provider, and installs it into PULUMI_HOME's plugin cache, so no plugin is
# ever downloaded. pulumi-command and pulumi-consul cannot be built here (docs/toolchain.md).
#
#   PULUMI_BIN="$(bash scripts/pulumi-toolchain.sh)"
#
# stdout: only the absolute bin dir (pulumi, pulumi-language-nodejs,
#         pulumi-resource-pulumi-nodejs, pulumi-analyzer-policy). Progress and timings go to stderr.
# Cache:  ${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}
#           go/mod, go/build            Go module and build caches
#           pulumi/<cli-version>/bin    the bin dir printed on stdout
#           pulumi-resource-docker/v<version>/  the docker plugin, its tfgen and schema
#           src/                        patched copies of upstream modules, go.mod files using them
#           pulumi-home/                default PULUMI_HOME (an exported PULUMI_HOME wins); the
#                                       docker plugin is installed into its plugins/
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
# The docker plugin's version: the @pulumi/docker release its mapping was checked against
# (scripts/go/pulumi-resource-docker/provider/resources.go). package.json, if it depends on
# @pulumi/docker, must ask for the same one: the npm package requests exactly that plugin.
DOCKER_VERSION="$(sed -n 's/^const MatchedVersion = "\(.*\)"$/\1/p' "$go_dir/pulumi-resource-docker/provider/resources.go")"
DOCKER_VERSION_VAR=clusterlab/toolchain/pulumi-resource-docker/provider.Version
[[ -n "$DOCKER_VERSION" ]] || die "cannot read MatchedVersion from scripts/go/pulumi-resource-docker/provider/resources.go"
npm_docker="$(sed -n 's/^ *"@pulumi\/docker": *"\([^"]*\)".*/\1/p' "$root/package.json" 2>/dev/null | head -n 1 || true)"
[[ -z "$npm_docker" || "$npm_docker" == "$DOCKER_VERSION" ]] ||
  die "package.json wants @pulumi/docker $npm_docker, the docker plugin's mapping is for $DOCKER_VERSION (docs/toolchain.md: pulumi-resource-docker)"

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
# The docker plugin is still built and installed below (its own stamps make that quick).
ambient=""
if [[ "${CLUSTERLAB_TOOLCHAIN_REBUILD:-}" != 1 ]] && ambient="$(ambient_ok)"; then
  log "pulumi v$CLI_VERSION already installed: $ambient"
fi
DOCKER_PLUGIN_DIR="$PULUMI_HOME/plugins/resource-docker-v$DOCKER_VERSION"

# --- build -----------------------------------------------------------------------------------
if ! command -v go >/dev/null; then
  # Nothing to build if the CLI is on PATH and PULUMI_HOME has a docker plugin (e.g. Pulumi's own).
  [[ -n "$ambient" && -x "$DOCKER_PLUGIN_DIR/pulumi-resource-docker" ]] && { echo "$ambient"; exit 0; }
  die "go is not installed"
fi
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
GO_VERSION="$(go env GOVERSION)"
BIN="${ambient:-$CACHE/pulumi/v$CLI_VERSION/bin}"
mkdir -p "$BIN" "$PULUMI_HOME"

# One build at a time, also across concurrent callers (CI and a developer, two terminals).
exec 9>"$CACHE/.toolchain.lock"
flock 9

# Builds <main package> of wrapper module <dir> into <out> unless the stamp beside it says
# it was built from the same inputs. Returns 0 if it built, 1 if it was up to date.
# GO_BUILD_FLAGS: more `go build` flags; GO_BUILD_KEY: more stamp input (e.g. a file's hash).
go_build() { # <wrapper dir> <main package> <out> <-X variable> <version> [go.mod to build with]
  local dir="$go_dir/$1" pkg="$2" out="$3" var="$4" version="$5" modfile="${6:-}" key start
  local ldflags="-s -w -X $var=$version" flags="${GO_BUILD_FLAGS:-}"
  key="$( {
    cat "$dir"/go.mod "$dir"/go.sum
    find "$dir" \( -name '*.go' -o -name '*.diff' \) -type f | LC_ALL=C sort | xargs -r cat # with patch/
    find "$dir" -mindepth 2 -name go.mod -type f | LC_ALL=C sort | xargs -r cat # nested modules
    echo "$pkg $ldflags $GO_VERSION"
    [[ -z "$flags${GO_BUILD_KEY:-}" ]] || echo "$flags ${GO_BUILD_KEY:-}"
  } | sha256sum | cut -d' ' -f1)"
  if [[ -x "$out" && -f "$out.stamp" && "$(cat "$out.stamp")" == "$key" ]]; then
    log "$(basename "$out") $version: up to date"
    return 1
  fi
  log "$(basename "$out") $version: building $pkg (logs: $out.log)"
  start=$SECONDS
  # shellcheck disable=SC2086 # $flags: several flags
  if ! (cd "$dir" && go build ${modfile:+-modfile="$modfile"} $flags -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$out.log" 2>&1; then
    tail -n 30 "$out.log" >&2
    die "building $(basename "$out") failed"
  fi
  mv -f "$out.tmp" "$out"
  echo "$key" >"$out.stamp"
  log "$(basename "$out") $version: built in $((SECONDS - start))s"
}

if [[ -z "$ambient" ]]; then # the CLI, its language host and scripts, unless on PATH already
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
fi

# --- pulumi-resource-docker: the Terraform Docker provider, bridged --------------------------
# scripts/go/pulumi-resource-docker holds the mapping to @pulumi/docker's tokens and names, a
# tfgen main and the provider main. The provider's own module comes in through a replace, plus
# a nested module (shim/) that may import its internal package. Pulumi's terraform-plugin-sdk
# fork is built from a copy in the cache with one added method (patch/), and so is the provider,
# with our container `wait`, one-shot containers that fail on a non-zero exit, and shorter network
# and volume waits (patch/provider/, patch/*.diff), through a go.mod in
# the cache. The schema tfgen writes is embedded with `go build -overlay`, so nothing is ever
# written to the checkout.

# Copies the Terraform provider's module into the cache and patches it: patch/provider/*.go are
# added to internal/provider (build tag line stripped) and patch/*.diff applied in name order
# (container-wait.diff: the container `wait`; one-shot-exit-code.diff: an `attach` container that
# exits non-zero fails its create; refresh-delays.diff: the waits around a network's and a
# volume's create, read and delete). Copied anew only when those files change (a hash of
# them in .clusterlab-patch, written last). Prints the copy's directory.
patched_docker_provider() { # <wrapper dir>
  local wrapper="$1" tfp=github.com/terraform-providers/terraform-provider-docker
  local target upstream src stamp file out old
  target="$(awk -v m="$tfp" '$1 == m && $2 == "=>" { print $3 "@" $4 }' "$wrapper/go.mod")"
  [[ "$target" == *@v* ]] || die "no replace of $tfp in $wrapper/go.mod"
  src="$CACHE/src/$(basename "${target%%@*}")-${target#*@}-clusterlab"
  stamp="$(cat "$wrapper"/patch/*.diff "$wrapper"/patch/provider/*.go | sha256sum | cut -d' ' -f1)"
  if [[ "$(cat "$src/.clusterlab-patch" 2>/dev/null)" != "$stamp" ]]; then
    (cd "$wrapper" && go mod download "$tfp") >&2 || die "cannot download $target"
    upstream="$(cd "$wrapper" && go list -m -f '{{with .Replace}}{{.Dir}}{{end}}' "$tfp")"
    [[ -d "$upstream" ]] || die "cannot find $target in the module cache"
    for old in "$src" "$src.tmp"; do
      [[ ! -e "$old" ]] || { chmod -R u+w "$old" && rm -rf "$old"; } || die "cannot remove $old"
    done
    { mkdir -p "$(dirname "$src")" && cp -r "$upstream" "$src.tmp" && chmod -R u+w "$src.tmp"; } ||
      die "cannot copy $upstream to $src.tmp"
    for file in "$wrapper"/patch/*.diff; do
      out="$(cd "$src.tmp" && patch -p1 --batch --fuzz=0 --no-backup-if-mismatch <"$file" 2>&1)" ||
        { printf '%s\n' "$out" >&2; die "patch/$(basename "$file") does not apply to $target"; }
    done
    for file in "$wrapper"/patch/provider/*.go; do
      sed '/^\/\/go:build clusterlab_patch$/d' "$file" >"$src.tmp/internal/provider/$(basename "$file")" ||
        die "cannot add $file to $src.tmp"
    done
    { echo "$stamp" >"$src.tmp/.clusterlab-patch" && mv "$src.tmp" "$src"; } || die "cannot move $src.tmp to $src"
    log "$(basename "$src"): copied and patched"
  fi
  echo "$src"
}

patched_docker_modfile() {
  local wrapper="$go_dir/pulumi-resource-docker" sdk=github.com/hashicorp/terraform-plugin-sdk/v2
  local tfp=github.com/terraform-providers/terraform-provider-docker
  local fork upstream src tfsrc mod="$CACHE/src/pulumi-resource-docker.go.mod"
  fork="$(awk -v m="$sdk" '$1 == m && $2 == "=>" { print $3 "@" $4 }' "$wrapper/go.mod")"
  [[ "$fork" == *@v* ]] || die "no replace of $sdk in $wrapper/go.mod"
  src="$CACHE/src/$(basename "${fork%%@*}")-${fork#*@}-clusterlab"
  (cd "$wrapper" && go mod download "$sdk") >&2
  upstream="$(cd "$wrapper" && go list -m -f '{{with .Replace}}{{.Dir}}{{end}}' "$sdk")"
  [[ -d "$upstream" ]] || die "cannot find $fork in the module cache"
  if ! cmp -s "$wrapper/patch/generate_resource_config.go" "$src/helper/schema/.clusterlab-patch"; then
    rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$upstream" "$src" && chmod -R u+w "$src"
    sed '/^\/\/go:build clusterlab_patch$/d' "$wrapper/patch/generate_resource_config.go" \
      >"$src/helper/schema/generate_resource_config_clusterlab.go"
    cp "$wrapper/patch/generate_resource_config.go" "$src/helper/schema/.clusterlab-patch"
  fi
  tfsrc="$(patched_docker_provider "$wrapper")" || exit 1
  # The shim module (replaced by ./shim) requires nothing itself: its import of the provider
  # resolves through this go.mod's requirements and replaces, like every module's in the build.
  sed -e "s#^\([[:space:]]*$sdk =>\).*#\1 $src#" -e "s#^\([[:space:]]*$tfp =>\).*#\1 $tfsrc#" \
    -e "s#=> \./shim\$#=> $wrapper/shim#" "$wrapper/go.mod" >"$mod.tmp"
  grep -q "=> $src\$" "$mod.tmp" || die "could not point $sdk at $src"
  grep -q "^[[:space:]]*$tfp => $tfsrc\$" "$mod.tmp" || die "could not point $tfp at $tfsrc"
  mv -f "$mod.tmp" "$mod"
  cp "$wrapper/go.sum" "${mod%.mod}.sum"
  echo "$mod"
}
docker_dir="$CACHE/pulumi-resource-docker/v$DOCKER_VERSION"
docker_modfile="$(patched_docker_modfile)"
mkdir -p "$docker_dir"
GO_BUILD_FLAGS="-tags no_compose" go_build pulumi-resource-docker ./cmd/pulumi-tfgen-docker \
  "$docker_dir/pulumi-tfgen-docker" "$DOCKER_VERSION_VAR" "$DOCKER_VERSION" "$docker_modfile" || true
if [[ ! -s "$docker_dir/schema/schema.json" || "$docker_dir/pulumi-tfgen-docker" -nt "$docker_dir/schema/schema.json" ]]; then
  log "pulumi-resource-docker $DOCKER_VERSION: generating its schema"
  rm -rf "$docker_dir/schema.tmp"
  "$docker_dir/pulumi-tfgen-docker" schema --skip-docs --out "$docker_dir/schema.tmp" >"$docker_dir/schema.log" 2>&1 ||
    { tail -n 30 "$docker_dir/schema.log" >&2; die "pulumi-tfgen-docker failed"; }
  rm -rf "$docker_dir/schema" && mv "$docker_dir/schema.tmp" "$docker_dir/schema"
fi
printf '{"Replace":{"%s":"%s"}}\n' "$go_dir/pulumi-resource-docker/schema.json" "$docker_dir/schema/schema.json" \
  >"$docker_dir/overlay.json"
GO_BUILD_FLAGS="-tags no_compose -overlay=$docker_dir/overlay.json" \
GO_BUILD_KEY="schema $(sha256sum <"$docker_dir/schema/schema.json" | cut -d' ' -f1)" \
  go_build pulumi-resource-docker . \
  "$docker_dir/pulumi-resource-docker" "$DOCKER_VERSION_VAR" "$DOCKER_VERSION" "$docker_modfile" || true

# Install it as Pulumi's docker plugin of that version, unless that is this very binary. A docker
# plugin there that this script never installed (say, Pulumi's own, in an exported PULUMI_HOME)
# is left alone; CLUSTERLAB_TOOLCHAIN_REBUILD=1 replaces it.
installed="$DOCKER_PLUGIN_DIR/pulumi-resource-docker" ours="$CACHE/pulumi-resource-docker/installed.sha256"
if cmp -s "$docker_dir/pulumi-resource-docker" "$installed"; then
  log "pulumi-resource-docker $DOCKER_VERSION: installed in $PULUMI_HOME"
elif [[ -e "$installed" && "${CLUSTERLAB_TOOLCHAIN_REBUILD:-}" != 1 ]] &&
  ! grep -qx "$(sha256sum <"$installed" | cut -d' ' -f1)" "$ours" 2>/dev/null; then
  log "pulumi-resource-docker $DOCKER_VERSION: $PULUMI_HOME has one this script did not build; left as it is"
else
  log "pulumi-resource-docker $DOCKER_VERSION: installing into $PULUMI_HOME"
  "$BIN/pulumi" plugin install resource docker "$DOCKER_VERSION" --reinstall \
    --file "$docker_dir/pulumi-resource-docker" >"$docker_dir/install.log" 2>&1 ||
    { cat "$docker_dir/install.log" >&2; die "pulumi plugin install resource docker failed"; }
  sum="$(sha256sum <"$docker_dir/pulumi-resource-docker" | cut -d' ' -f1)"
  grep -qx "$sum" "$ours" 2>/dev/null || echo "$sum" >>"$ours"
fi

echo "$BIN"
