# Sourced by the npm scripts that take a stack name: a name with no stack file (a typo, a
# stack never written) stops them before anything is installed, built or created.
require_stack_file() {
  local stack="$1" file="stacks/Pulumi.$1.yaml" known
  if [ ! -f "$file" ]; then
    known="$(find stacks -maxdepth 1 -name 'Pulumi.*.yaml' | sed 's#^stacks/Pulumi\.\(.*\)\.yaml$#\1#' | sort | paste -sd ' ' -)"
    echo "no stack \"$stack\": there is no $file. Stacks here: ${known:-none}. Pick one, or write that file first." >&2
    exit 2
  fi
}
