#!/bin/bash
# Configures this container for its OAR_ROLE (server | frontend | node) from the uploaded key
# files and the env, then runs the role's processes in the foreground (under tini).
#   OAR_ROLE            server | frontend | node (required)
#   OAR_SERVER_HOST     DNS name of the server container (server)
#   OAR_DB_PASSWORD     password of the DB user `oar` (server, frontend: this or the file below)
#   OAR_DB_RO_PASSWORD  password of the DB user `oar_ro` (server, frontend: this or the file below)
#   OAR_DB_PORT         the port the server's PostgreSQL is reached on (5432; a node on another
#                       Docker host: the port the server's host publishes it on)
#   OAR_NODE_NAME       the OAR host name a node registers as, its network alias (node, required)
#   OAR_NODE_CORES      how many resources (cores) the node registers (node, default 1)
#   OAR_USER / OAR_USER_UID   the job-submitting user (user / 1000), home /home/$OAR_USER
#   OAR_JOB_RESOURCE_MANAGER  no-cgroups (default) | none  (see below)
# Files (uploaded before start): /run/clusterlab/oar_key(.pub)  the oar user's key pair;
#   /run/clusterlab/ssh_host_key(.pub)  host key of OAR's sshd (6667) and the frontend's sshd (22);
#   /run/clusterlab/user_authorized_keys (optional, frontend)  keys that may log in as OAR_USER;
#   /run/clusterlab/db_password, db_ro_password (server, frontend)  the DB passwords, where the
#   env does not give them (a file keeps a secret out of the container's env and inspect output).
# A command given to the container runs (as root, after the configuration) instead of the role.
set -euo pipefail

KEYS=/run/clusterlab
CONF=/etc/oar/oar.conf
OAR_HOME=/var/lib/oar
PGV=15
role="${OAR_ROLE:-}"
server="${OAR_SERVER_HOST:-server}"
user="${OAR_USER:-user}"
uid="${OAR_USER_UID:-1000}"

log() { echo "oar-entrypoint[$role]: $*"; }
die() { echo "oar-entrypoint[$role]: ERROR: $*" >&2; exit 1; }

case "$role" in server|frontend|node) ;; *) die "OAR_ROLE must be server, frontend or node (got '${role}')" ;; esac
# The healthcheck reads both: the role once configured, `registered` once a node is in OAR.
rm -f /run/clusterlab/role /run/clusterlab/registered

# ---- oar.conf: the same values in every role --------------------------------------------
set_conf() {  # set_conf KEY VALUE  (values are written double-quoted; no " or \ allowed)
  local key=$1 value=$2
  [[ "$value" != *[\"\\\$\`]* ]] || die "$key must not contain \" \\ \$ or \`"
  if grep -q "^#\?${key}=" "$CONF"; then
    sed -i "s|^#\?${key}=.*|${key}=\"${value//|/\\|}\"|" "$CONF"
  else
    echo "${key}=\"${value}\"" >>"$CONF"
  fi
}
[[ -n "${OAR_DB_PASSWORD:-}" || ! -s $KEYS/db_password ]] || OAR_DB_PASSWORD="$(cat "$KEYS/db_password")"
[[ -n "${OAR_DB_RO_PASSWORD:-}" || ! -s $KEYS/db_ro_password ]] || OAR_DB_RO_PASSWORD="$(cat "$KEYS/db_ro_password")"
# Every role: a node registers itself in the database, and oarsh reads a job's cpuset name there.
[[ -n "${OAR_DB_PASSWORD:-}" && -n "${OAR_DB_RO_PASSWORD:-}" ]] \
  || die "OAR_DB_PASSWORD and OAR_DB_RO_PASSWORD (or $KEYS/db_password and $KEYS/db_ro_password) are required"
set_conf DB_HOSTNAME "$server"
set_conf SERVER_HOSTNAME "$server"
[[ -z "${OAR_DB_PORT:-}" ]] || set_conf DB_PORT "$OAR_DB_PORT"
# Multi-host clusters: Almighty listens on the port it is published on, so nodes on other
# Docker hosts (which reach `server` through --add-host) and the server agree on one number.
[[ -z "${OAR_SERVER_PORT:-}" ]] || set_conf SERVER_PORT "$OAR_SERVER_PORT"
[[ -z "${OAR_DB_PASSWORD:-}" ]] || set_conf DB_BASE_PASSWD "$OAR_DB_PASSWORD"
[[ -z "${OAR_DB_RO_PASSWORD:-}" ]] || set_conf DB_BASE_PASSWD_RO "$OAR_DB_RO_PASSWORD"
# The job resource manager's cgroups/cpuset part fails in containers (CPUSET_ERROR, node
# Suspected). Two ways around it (OAR_JOB_RESOURCE_MANAGER):
#   no-cgroups (default): CPUSET_PATH unset, so job_resource_manager_cgroups.pl makes no cgroup
#     but still writes the node file, job env and job keys, and oarstat shows a cpuset_name:
#     oarsh between the nodes of a job and `oarsub -I` / `oarsub -C` work.
#   none: JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD commented out: batch jobs run, but oarsh
#     ("Cannot retrieve the job cpuset name") and interactive jobs do not.
case "${OAR_JOB_RESOURCE_MANAGER:-no-cgroups}" in
  no-cgroups)
    sed -i -e 's|^#\?JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD=.*|JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD="cpuset"|' \
           -e 's|^CPUSET_PATH=|#CPUSET_PATH=|' "$CONF" ;;
  none)
    sed -i -e 's|^JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD=|#JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD=|' \
           -e 's|^CPUSET_PATH=|#CPUSET_PATH=|' "$CONF" ;;
  *) die "OAR_JOB_RESOURCE_MANAGER must be no-cgroups or none" ;;
esac
chown oar:root "$CONF"; chmod 600 "$CONF"

# ---- keys ---------------------------------------------------------------------------------
[[ -s $KEYS/oar_key && -s $KEYS/oar_key.pub ]] || die "$KEYS/oar_key and $KEYS/oar_key.pub must be uploaded before start"
case "$(cut -d' ' -f1 "$KEYS/oar_key.pub")" in
  ssh-ed25519) idname=id_ed25519 ;;
  ssh-rsa) idname=id_rsa ;;
  *) die "$KEYS/oar_key.pub: only ssh-ed25519 and ssh-rsa keys are supported" ;;
esac
install -d -o oar -g oar -m 700 "$OAR_HOME/.ssh"
rm -f "$OAR_HOME"/.ssh/id_*
install -o oar -g oar -m 600 "$KEYS/oar_key" "$OAR_HOME/.ssh/$idname"
install -o oar -g oar -m 644 "$KEYS/oar_key.pub" "$OAR_HOME/.ssh/$idname.pub"
# OAR_KEY=1 tells oarsh_shell that the connection is OAR's own (PermitUserEnvironment yes).
echo "environment=\"OAR_KEY=1\" $(cat "$KEYS/oar_key.pub")" >"$OAR_HOME/.ssh/authorized_keys"
chown oar:oar "$OAR_HOME/.ssh/authorized_keys"; chmod 600 "$OAR_HOME/.ssh/authorized_keys"
hostkey=""
if [[ -s $KEYS/ssh_host_key && -s $KEYS/ssh_host_key.pub ]]; then
  hostkey=$KEYS/ssh_host_key
  install -o root -g root -m 600 "$hostkey" /etc/oar/oar_ssh_host_key
  install -o root -g root -m 644 "$hostkey.pub" /etc/oar/oar_ssh_host_key.pub
  # Every OAR sshd of the stack has this key: trust it for any host name, and check strictly.
  echo "* $(cut -d' ' -f1,2 "$hostkey.pub")" >"$OAR_HOME/.ssh/known_hosts"
  strict=yes
else
  [[ "$role" != node ]] || die "$KEYS/ssh_host_key and $KEYS/ssh_host_key.pub must be uploaded before start"
  : >"$OAR_HOME/.ssh/known_hosts"
  strict=no
fi
chown oar:oar "$OAR_HOME/.ssh/known_hosts"; chmod 644 "$OAR_HOME/.ssh/known_hosts"
# OAR_SSH_PEERS="node3=10.0.0.3:16667 …": nodes on other Docker hosts, reached by their host's
# address and the port their OAR sshd is published on. The port then comes from this config
# (first match wins), not from `ssh -p 6667` in OPENSSH_CMD, which bipbip, oarsh and the ping
# checker all use; every other host gets 6667 from the config's last block.
peers=""
if [[ -n "${OAR_SSH_PEERS:-}" ]]; then
  for peer in $OAR_SSH_PEERS; do
    [[ "$peer" =~ ^([a-z0-9-]+)=([^:=]+):([0-9]+)$ ]] || die "OAR_SSH_PEERS: '$peer' is not name=address:port"
    peers+="Host ${BASH_REMATCH[1]}"$'\n'"HostName ${BASH_REMATCH[2]}"$'\n'"Port ${BASH_REMATCH[3]}"$'\n'
  done
  set_conf OPENSSH_CMD "/usr/bin/ssh -e none"
fi
# Port 6667 for every other host: OPENSSH_CMD's `-p 6667` says it for OAR's own ssh, this for
# `ssh -G`, which oar-register-node asks where a node's sshd is.
cat >"$OAR_HOME/.ssh/config" <<CFG
${peers}Host *
Port 6667
ForwardX11 no
StrictHostKeyChecking $strict
UserKnownHostsFile $OAR_HOME/.ssh/known_hosts
PasswordAuthentication no
AddressFamily inet
IdentityFile $OAR_HOME/.ssh/$idname
CFG
chown oar:oar "$OAR_HOME/.ssh/config"; chmod 644 "$OAR_HOME/.ssh/config"

# ---- the job user (same uid everywhere; home on the shared /home volume) -------------------
if ! getent passwd "$user" >/dev/null; then
  getent group "$uid" >/dev/null || groupadd -g "$uid" "$user"
  useradd -M -d "/home/$user" -s /bin/bash -u "$uid" -g "$uid" "$user"
fi
if [[ "$role" != server ]]; then
  if [[ ! -d "/home/$user" ]]; then
    mkdir -p "/home/$user"; cp -a /etc/skel/. "/home/$user/"; chown -R "$uid:$uid" "/home/$user"
  fi
  [[ "$(stat -c %u "/home/$user")" == "$uid" ]] || chown "$uid:$uid" "/home/$user"
  # OAR's batch job shell sources ~/.bashrc (an error line in every job's stderr without one).
  [[ -e "/home/$user/.bashrc" ]] || install -o "$uid" -g "$uid" -m 644 /etc/skel/.bashrc "/home/$user/.bashrc"
fi

echo "$role" >/run/clusterlab/role

if [[ $# -gt 0 ]]; then
  exec "$@"
fi

# ---- roles --------------------------------------------------------------------------------
case "$role" in
node)
  # A node joins OAR by itself once its sshd answers (a resource added earlier would be marked
  # Suspected), and leaves it when stopped: so adding a node is starting its container, and
  # removing one is stopping it, with no step run from outside (docker exec) on either side.
  node_name="${OAR_NODE_NAME:-}"
  cores="${OAR_NODE_CORES:-1}"
  [[ "$node_name" =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || die "OAR_NODE_NAME must be the node's OAR host name, its network alias (got '${node_name}')"
  [[ "$cores" =~ ^[1-9][0-9]*$ ]] || die "OAR_NODE_CORES must be a count of cores (got '${cores}')"
  mkdir -p /run/sshd
  log "OAR sshd on :6667; joins OAR as $node_name with $cores core(s)"
  /usr/sbin/sshd -f /etc/oar/sshd_config -D -e &
  sshd=$!
  sshd_answers() {  # an SSH banner, answered with an identification string (no kex error logged)
    timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6667 || exit 1; IFS= read -r -t 2 banner <&3 || true
      printf "SSH-2.0-clusterlab-join\r\n" >&3 2>/dev/null || true; [[ "$banner" == SSH-* ]]' 2>/dev/null
  }
  join() {
    local tries=0 why
    # Quiet while the server starts (the first start makes its database: 10-30 s); then each try says why.
    until why="its sshd does not answer on :6667"; sshd_answers && why="$(oar-register-node "$node_name" "$cores" 2>&1)"; do
      tries=$((tries + 1))
      ((tries < 30 || tries % 10 != 0)) || log "not in OAR yet: $why"
      sleep 1
    done
    log "$why"
    touch /run/clusterlab/registered
  }
  leave() {
    kill "$joiner" 2>/dev/null || true
    # Bounded: Docker kills the container 10 s after SIGTERM, and when the whole cluster goes the
    # server may be gone already (the node then stays listed in a database about to go too).
    timeout 8 oar-unregister-node "$node_name" || log "could not leave OAR: the server did not answer"
    kill -TERM "$sshd" 2>/dev/null || true
    wait "$sshd" 2>/dev/null || true
    exit 0
  }
  trap leave TERM INT
  join &
  joiner=$!
  wait "$sshd" || true
  log "OAR sshd exited"
  exit 1
  ;;

frontend)
  # sshd on 22 for the user (public key only), with the stack's host key.
  mkdir -p /run/sshd
  [[ -n "$hostkey" ]] && install -m 600 "$hostkey" /etc/ssh/ssh_host_clusterlab_key
  [[ -n "$hostkey" ]] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_clusterlab_key
  if [[ -s $KEYS/user_authorized_keys ]]; then
    install -d -o "$uid" -g "$uid" -m 700 "/home/$user/.ssh"
    install -o "$uid" -g "$uid" -m 600 "$KEYS/user_authorized_keys" "/home/$user/.ssh/authorized_keys"
  fi
  log "oarsub/oarstat/oarnodes/oardel for '$user' against $server; user sshd on :22"
  exec /usr/sbin/sshd -D -e -o HostKey=/etc/ssh/ssh_host_clusterlab_key \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o PermitRootLogin=no
  ;;

server)
  pgdata=/var/lib/postgresql/$PGV/main
  # The cluster (data and, through the /etc/postgresql symlink, its config) lives on the
  # /var/lib/postgresql volume: made once, when the volume holds none.
  install -d -o postgres -g postgres /var/lib/postgresql /var/lib/postgresql/etc
  if [[ ! -f /etc/postgresql/$PGV/main/postgresql.conf ]]; then
    [[ ! -e $pgdata/PG_VERSION ]] || die "$pgdata holds a cluster but /var/lib/postgresql/etc/$PGV/main has no config"
    log "initialising PostgreSQL in $pgdata"
    pg_createcluster $PGV main >/dev/null
  else
    log "PostgreSQL cluster found in $pgdata"
  fi
  cat >/etc/postgresql/$PGV/main/conf.d/clusterlab.conf <<PGC
listen_addresses = '*'
jit = off
PGC
  hba=/etc/postgresql/$PGV/main/pg_hba.conf
  grep -q '^# clusterlab' "$hba" || printf '# clusterlab: OAR tools on the cluster network\nhost all all 0.0.0.0/0 scram-sha-256\n' >>"$hba"
  mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
  # After a kill (no clean shutdown) the pid file names a pid that, in a new container, may be
  # another live process: nothing else runs PostgreSQL here, so it is stale.
  pgrep -u postgres postgres >/dev/null || rm -f "$pgdata/postmaster.pid"
  pg_ctlcluster $PGV main start
  psql_admin() { su postgres -s /bin/sh -c "psql -v ON_ERROR_STOP=1 -qtAX $*"; }
  if [[ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname='oar'\"")" != 1 ]]; then
    log "creating the OAR database"
    oar-database --create --db-is-local --db-admin-user postgres -y
  else
    log "OAR database exists: not re-initialised"
  fi
  # Keep the DB users' passwords equal to the env (the secrets may have been rotated).
  psql_admin "-c \"ALTER ROLE oar PASSWORD '${OAR_DB_PASSWORD//\'/\'\'}'; ALTER ROLE oar_ro PASSWORD '${OAR_DB_RO_PASSWORD//\'/\'\'}'\"" >/dev/null
  # The properties node registrations set (oar-register-node), made here once rather than
  # looked up by each registration: each OAR tool is a Perl start of a second or more.
  props="$(oarproperty -l)"
  grep -qx host <<<"$props" || oarproperty -a host -c >/dev/null
  grep -qx cpu <<<"$props" || oarproperty -a cpu >/dev/null
  grep -qx core <<<"$props" || oarproperty -a core >/dev/null
  # The cpu and core ids registrations draw (oar-register-node), past every id in use: drawn
  # from sequences, registrations of different nodes need no common lock.
  # Nodes draw them as the oar user (each registers itself): granted in the same transaction.
  psql_admin "-d oar -c \"CREATE SEQUENCE IF NOT EXISTS clusterlab_cpu; CREATE SEQUENCE IF NOT EXISTS clusterlab_core;
    GRANT USAGE, SELECT, UPDATE ON SEQUENCE clusterlab_cpu, clusterlab_core TO oar;
    SELECT setval('clusterlab_cpu', coalesce(max(cpu), 0) + 1, false), setval('clusterlab_core', coalesce(max(core), 0) + 1, false) FROM resources\"" >/dev/null

  stop() {
    log "stopping"
    [[ -n "${almighty:-}" ]] && pkill -TERM -s "$almighty" 2>/dev/null || true
    pg_ctlcluster $PGV main stop -m fast || true
    exit 0
  }
  trap stop TERM INT
  touch /var/log/oar.log; chown oar /var/log/oar.log
  log "starting Almighty (log: /var/log/oar.log)"
  setsid /usr/sbin/Almighty &
  almighty=$!
  tail -n0 -F /var/log/oar.log &
  wait "$almighty" || true
  log "Almighty exited"
  pg_ctlcluster $PGV main stop -m fast || true
  exit 1
  ;;
esac
