#!/bin/bash
# Renders app.ini from the environment (install wizard locked), makes the SQLite schema and the
# admin user on first start, then runs Gitea in the foreground. Every start is idempotent.
#   GOGS_EXTERNAL_URL        URL users and clients reach the server at (ROOT_URL); default http://localhost:$GOGS_HTTP_PORT/
#   GOGS_HTTP_PORT           HTTP port inside the container; default 3000
#   GOGS_SSH_PORT            port of Gitea's built-in SSH server (> 1024); unset: SSH disabled
#   GOGS_ADMIN_USER          admin login; with GOGS_ADMIN_PASSWORD_FILE, made on the first start
#   GOGS_ADMIN_PASSWORD_FILE file holding the admin's password (a secret shipped as a file);
#                            re-applied at every start, so a rotated secret takes effect
#   GOGS_ADMIN_EMAIL         default <user>@localhost
# The names are the seed's ("gogs" role) so the EDM component's contract is the same either way.
# It starts as root only to read a password file of any owner and to own /data; Gitea itself
# (which refuses root) and every gitea command run as the `git` user.
set -euo pipefail

as_git() { env HOME=/data/git USER=git setpriv --reuid=git --regid=git --init-groups "$@"; }

http_port="${GOGS_HTTP_PORT:-3000}"
url="${GOGS_EXTERNAL_URL:-http://localhost:${http_port}/}"
[[ "$url" == */ ]] || url="$url/"
domain="${url#*://}"; domain="${domain%%/*}"; domain="${domain%:*}"
work=/data/gitea
conf="$work/conf/app.ini"
mkdir -p "$work/conf" "$work/secrets" /data/git/repositories
chown git:git /data /data/git /data/git/repositories "$work" "$work/conf" "$work/secrets"

# Secrets that sign sessions and tokens: made once, kept on the volume, never in the env.
secret() {
  local f="$work/secrets/$1"
  [[ -s "$f" ]] || { (umask 077; as_git gitea generate secret "$2" >"$f"); chown git:git "$f"; }
  cat "$f"
}
secret_key="$(secret secret_key SECRET_KEY)"
internal_token="$(secret internal_token INTERNAL_TOKEN)"
jwt_secret="$(secret jwt_secret JWT_SECRET)"
lfs_jwt_secret="$(secret lfs_jwt_secret JWT_SECRET)"

if [[ -n "${GOGS_SSH_PORT:-}" ]]; then
  ssh="DISABLE_SSH = false
START_SSH_SERVER = true
SSH_PORT = ${GOGS_SSH_PORT}
SSH_LISTEN_PORT = ${GOGS_SSH_PORT}
SSH_DOMAIN = ${domain}"
else
  ssh="DISABLE_SSH = true"
fi

(umask 077; cat >"$conf" <<INI
APP_NAME = clusterlab git
RUN_USER = git
RUN_MODE = prod
WORK_PATH = ${work}

[server]
PROTOCOL = http
HTTP_ADDR = 0.0.0.0
HTTP_PORT = ${http_port}
ROOT_URL = ${url}
DOMAIN = ${domain}
STATIC_ROOT_PATH = /usr/share/gitea
APP_DATA_PATH = ${work}
OFFLINE_MODE = true
LFS_START_SERVER = false
LFS_JWT_SECRET = ${lfs_jwt_secret}
${ssh}

[database]
DB_TYPE = sqlite3
PATH = ${work}/gitea.db

[repository]
ROOT = /data/git/repositories

[security]
INSTALL_LOCK = true
SECRET_KEY = ${secret_key}
INTERNAL_TOKEN = ${internal_token}

[oauth2]
JWT_SECRET = ${jwt_secret}

[service]
DISABLE_REGISTRATION = true
DEFAULT_ALLOW_CREATE_ORGANIZATION = true

[session]
PROVIDER = file

[picture]
DISABLE_GRAVATAR = true

[actions]
ENABLED = false

[cron.update_checker]
ENABLED = false

[log]
MODE = console
LEVEL = warn
INI
)
chown git:git "$conf"

as_git gitea --config "$conf" migrate >/dev/null

if [[ -n "${GOGS_ADMIN_USER:-}" ]]; then
  [[ -r "${GOGS_ADMIN_PASSWORD_FILE:-}" ]] || { echo "GOGS_ADMIN_USER is set but GOGS_ADMIN_PASSWORD_FILE (${GOGS_ADMIN_PASSWORD_FILE:-unset}) is not a readable file" >&2; exit 1; }
  password="$(cat "$GOGS_ADMIN_PASSWORD_FILE")"
  if as_git gitea --config "$conf" admin user list --admin | awk 'NR > 1 { print $2 }' | grep -qxF "$GOGS_ADMIN_USER"; then
    as_git gitea --config "$conf" admin user change-password --username "$GOGS_ADMIN_USER" \
      --password "$password" --must-change-password=false >/dev/null
  else
    as_git gitea --config "$conf" admin user create --admin --username "$GOGS_ADMIN_USER" \
      --password "$password" --email "${GOGS_ADMIN_EMAIL:-${GOGS_ADMIN_USER}@localhost}" \
      --must-change-password=false >/dev/null
    echo "admin user ${GOGS_ADMIN_USER} created"
  fi
  unset password
fi

# A command given to the container runs (as git) instead of the server, after the configuration.
if [[ $# -gt 0 ]]; then exec as_git "$@"; fi
exec env HOME=/data/git USER=git setpriv --reuid=git --regid=git --init-groups gitea --config "$conf" web
