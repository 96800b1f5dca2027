# Sourced, not run: points Pulumi at the checkout's own file backend, with a passphrase made
# once for this checkout, so the local stack needs no account and never prompts.
#
#   source scripts/local-backend.sh
#
# The state lives in .pulumi-state/ (ignored by git). The passphrase is random, kept in
# .pulumi-state/passphrase (mode 600) and read through PULUMI_CONFIG_PASSPHRASE_FILE. Another
# backend: set PULUMI_BACKEND_URL (any backend URL) or PULUMI_ACCESS_TOKEN (Pulumi Cloud, as the
# CLI picks it for a token; its stacks keep their secrets with the service, so no passphrase is
# made then). Another passphrase: PULUMI_CONFIG_PASSPHRASE.
clusterlab_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ -z "${PULUMI_ACCESS_TOKEN:-}" ]; then
  mkdir -p "$clusterlab_root/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$clusterlab_root/.pulumi-state"
fi
if [ -n "${PULUMI_BACKEND_URL:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  passphrase_file="$clusterlab_root/.pulumi-state/passphrase"
  if [ ! -s "$passphrase_file" ]; then
    mkdir -p "$(dirname "$passphrase_file")"
    (umask 077 && head -c 24 /dev/urandom | base64 >"$passphrase_file")
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi
