# Sourced by the npm scripts that take a stack name.
#
# A stack's config is Pulumi's own stack file, stacks/Pulumi.<stack>.yaml. Pulumi writes into it
# (the salt of this checkout's random passphrase on the first use, and its own YAML layout on
# every config change), so it belongs to one checkout and git ignores it. The stacks the project
# ships are committed as presets, stacks/presets/<stack>.yaml: the first command on a stack
# copies its preset into place, and from then on the stack file is the user's own.
#
# A name with neither (a typo, a stack never written) stops the script before anything is
# installed, built or created.
require_stack_file() {
  local stack="$1" file="stacks/Pulumi.$1.yaml" preset="stacks/presets/$1.yaml" known
  if [ -f "$file" ]; then
    if [ -f "$preset" ] && [ "$preset" -nt "$file" ]; then
      echo "note: $preset changed after $file was made from it; $file is the one used (compare them, and copy over what you want)." >&2
    fi
    return 0
  fi
  if [ -f "$preset" ]; then
    cp "$preset" "$file"
    echo "made $file from $preset: this checkout's own stack file (git ignores it), yours to edit." >&2
    return 0
  fi
  known="$( (find stacks/presets -maxdepth 1 -name '*.yaml' | sed 's#^stacks/presets/\(.*\)\.yaml$#\1#'
    find stacks -maxdepth 1 -name 'Pulumi.*.yaml' | sed 's#^stacks/Pulumi\.\(.*\)\.yaml$#\1#') | sort -u | paste -sd ' ' -)"
  echo "no stack \"$stack\": there is no $file and no preset $preset. Stacks here: ${known:-none}. Pick one, or write that file first." >&2
  exit 2
}

# Sourced too, once Pulumi and the backend are set up and the stack exists: the stack's
# `clusterlab:secretSeed`, from which its generated passwords and keys derive
# (components/core/stack-secrets.ts), made once: random, a secret in the stack's own file, which
# git ignores. Given on stdin, so the value never shows in a process list.
ensure_secret_seed() {
  local stack="$1"
  if ! pulumi config get clusterlab:secretSeed --stack "$stack" >/dev/null 2>&1; then
    head -c 32 /dev/urandom | base64 | pulumi config set --secret clusterlab:secretSeed --stack "$stack" >/dev/null
    echo "made clusterlab:secretSeed for stack $stack: random, a secret in stacks/Pulumi.$stack.yaml; the stack's passwords and keys derive from it" >&2
  fi
}
