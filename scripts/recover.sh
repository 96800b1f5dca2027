#!/usr/bin/env bash
# After an `up` was cut short (Ctrl-C, a closed terminal, a killed machine session), makes the
# stack usable again without editing its state by hand:
#
#   bash scripts/recover.sh [STACK]        # or: npm run recover -- STACK   (default: local)
#
# 1. A lock left in a file backend by a pulumi process that no longer runs (same host, its pid
#    gone) is removed. A lock held by a live process, or taken on another host, is reported and
#    left alone: that `up` may still be running.
# 2. The dynamic-provider processes the cut-short `pulumi` left running (its child, which outlives
#    a SIGKILL) are stopped, so none still creates or starts a container behind the refresh
#    (scripts/stop-orphan-providers.sh; a provider whose pulumi still runs is left alone).
# 3. `pulumi refresh --clear-pending-creates`: the resources Pulumi was creating when it stopped
#    are dropped from its pending list, and the rest of the state is checked against the engine.
# 4. What those creates left on the stack's engines, containers and networks that carry the
#    stack's label but are in no resource of the state, is removed (scripts/remove-leftovers.ts),
#    so the next `up` can make them under their names. Volumes stay: they may hold data, and the
#    next `up` takes a volume of its name as its own.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-local}"
source scripts/stack-file.sh
require_stack_file "$stack"
if ! command -v pulumi >/dev/null 2>&1; then
  eval "$(bash scripts/toolchain.sh)"
fi
source scripts/local-backend.sh

case "$PULUMI_BACKEND_URL" in
  file://*)
    locks="${PULUMI_BACKEND_URL#file://}/.pulumi/locks"
    if [ -d "$locks" ]; then
      while IFS= read -r lock; do
        read -r pid host < <(node -e 'const l = require(process.argv[1]); console.log(l.pid, l.hostname)' "$lock")
        if [ "$host" = "$(hostname)" ] && ! kill -0 "$pid" 2>/dev/null; then
          echo "recover: removing the lock of pulumi pid $pid, which no longer runs ($lock)" >&2
          rm -f "$lock"
        else
          echo "recover: stack $stack is locked by pid $pid on $host, which may still be running: wait for it, or stop it first" >&2
          exit 1
        fi
      done < <(find "$locks" -path "*/$stack/*.json" -type f)
    fi
    ;;
  *) echo "recover: $PULUMI_BACKEND_URL is not a file backend; its locks are the service's (pulumi cancel)" >&2 ;;
esac

bash scripts/stop-orphan-providers.sh
pulumi refresh --yes --stack "$stack" --clear-pending-creates --non-interactive
state="$(mktemp)"
trap 'rm -f "$state"' EXIT
# With secrets: a remote engine's TLS material and ssh options are how its leftovers are reached.
pulumi stack export --stack "$stack" --show-secrets --file "$state"
node -r ts-node/register/transpile-only scripts/remove-leftovers.ts "$stack" "$state"
