#!/usr/bin/env bash
# Posts a stack's review (`npm run review -- --out review.md`) on a pull request as ONE comment
# that every push edits, as Pulumi's GitHub Action does with `edit-pr-comment`: the comment whose
# first line is the review's marker (`<!-- clusterlab-review stack=<name> -->`) is edited; with
# none yet, one is made. Other comments, another stack's review among them, are left alone.
#
#   GH_TOKEN=… GITHUB_REPOSITORY=owner/repo bash scripts/pr-comment.sh <pull request> <review.md>
set -euo pipefail
pr="$1"
body="$2"
marker="$(head -n 1 "$body")"
case "$marker" in
  "<!-- clusterlab-review stack="*" -->") ;;
  *) echo "$body does not start with a review's marker line (npm run review writes one)" >&2; exit 2 ;;
esac
comments="repos/$GITHUB_REPOSITORY/issues"
id=""
while IFS=$'\t' read -r comment first_line; do
  if [ "$first_line" = "$marker" ]; then
    id="$comment"
    break
  fi
done < <(gh api --paginate "$comments/$pr/comments" --jq '.[] | [.id, (.body | split("\n")[0])] | @tsv')
if [ -n "$id" ]; then
  gh api --method PATCH "$comments/comments/$id" -F "body=@$body" >/dev/null
  echo "edited the review comment $id on #$pr" >&2
else
  gh api --method POST "$comments/$pr/comments" -F "body=@$body" >/dev/null
  echo "posted the review on #$pr" >&2
fi
