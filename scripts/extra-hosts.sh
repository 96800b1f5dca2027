#!/usr/bin/env bash
# Extra Docker hosts on this machine, for multi-server stacks and their tests: each one a
# dockerd of its own in a network namespace of its own, reached by its own address.
#
#   scripts/extra-hosts.sh start [NAME...]   # idempotent; default hosts: host2 host3
#   scripts/extra-hosts.sh stop  [NAME...]   # stops engines, removes namespaces; leaves no container,
#                                            # network or volume, only each engine's images as a cache
#   scripts/extra-hosts.sh purge [NAME...]   # stop, and remove the image caches too
#   scripts/extra-hosts.sh stop-engine NAME  # only that host's dockerd goes (a server whose engine
#                                            # died); `start NAME` brings it back with its data
#   scripts/extra-hosts.sh status            # one line per host: name, endpoint, up/down
#   scripts/extra-hosts.sh env               # HOST2_DOCKER=tcp://… lines, for eval
#
# Layout (root needed): a bridge clab-br0 (10.213.0.1/24) in the root namespace; per host a
# namespace clab-<name> joined to the bridge by a veth pair, address 10.213.0.<n> (host2 = .2,
# host3 = .3), default route via the bridge, so hosts reach each other, the root namespace and
# (NAT) the Debian mirror for image builds. The engine listens on tcp://10.213.0.<n>:2375 (no
# TLS: the bridge is local to this machine) and on a unix socket in the cache dir; its data,
# exec root, pidfile and log are under $CLUSTERLAB_CACHE/extra-hosts/<name>. The base image is
# copied from the main engine (docker save | docker load), so builds FROM it work there.
# host3's engine also takes TLS on tcp://10.213.0.3:2376 (--tlsverify; a CA, a server cert for
# its address and a client cert are made with openssl under its folder; see `env`), instead of
# plain tcp:2375, so each transport (tcp://, tcp:// with TLS, ssh://) has an engine to test.
# With CLUSTERLAB_EXTRA_SSH=1 (default) an sshd runs in host3's namespace on port 22 whose
# sessions see DOCKER_HOST=<host3's socket>, so `ssh://root@10.213.0.3` reaches host3's engine
# through the docker CLI's ssh transport (key and known_hosts under the cache dir; see `env`).
#
# The main dockerd's FORWARD policy is DROP, and bridged frames go through iptables
# (br_netfilter): ACCEPT rules for clab-br0 go into DOCKER-USER, which the main engine keeps.
set -euo pipefail

CACHE_DIR="${CLUSTERLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterlab}"
DIR="$CACHE_DIR/extra-hosts"
BRIDGE=clab-br0
SUBNET=10.213.0
BASE_IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
WAIT_SECONDS="${CLUSTERLAB_DOCKER_WAIT_SECONDS:-60}"
SSH_HOST="${CLUSTERLAB_EXTRA_SSH_HOST:-host3}"
TLS_HOST="${CLUSTERLAB_EXTRA_TLS_HOST:-host3}"
WITH_SSH="${CLUSTERLAB_EXTRA_SSH:-1}"

say() { printf 'extra-hosts: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

index_of() { # host2 -> 2
  case "$1" in host[2-9]) printf %s "${1#host}" ;; *) die "host names are host2 … host9, got '$1'" ;; esac
}
ns_of() { printf 'clab-%s' "$1"; }
addr_of() { printf '%s.%s' "$SUBNET" "$(index_of "$1")"; }
sock_of() { printf '%s/%s/docker.sock' "$DIR" "$1"; }
answers() { timeout 10 docker -H "unix://$(sock_of "$1")" info >/dev/null 2>&1; }

ensure_tools() {
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v nsenter >/dev/null || missing+=(util-linux)
  if [ "$WITH_SSH" = 1 ]; then
    [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
    command -v ssh >/dev/null || missing+=(openssh-client)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    }
  fi
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1
  # DOCKER-USER exists once the main engine ran; FORWARD otherwise.
  local chain=FORWARD
  iptables -nL DOCKER-USER >/dev/null 2>&1 && chain=DOCKER-USER
  iptables -C "$chain" -i "$BRIDGE" -j ACCEPT 2>/dev/null || iptables -I "$chain" -i "$BRIDGE" -j ACCEPT
  iptables -C "$chain" -o "$BRIDGE" -j ACCEPT 2>/dev/null || iptables -I "$chain" -o "$BRIDGE" -j ACCEPT
  iptables -t nat -C POSTROUTING -s "$SUBNET.0/24" ! -o "$BRIDGE" -j MASQUERADE 2>/dev/null ||
    iptables -t nat -A POSTROUTING -s "$SUBNET.0/24" ! -o "$BRIDGE" -j MASQUERADE
}

ensure_namespace() {
  local name="$1" ns addr veth
  ns="$(ns_of "$name")"; addr="$(addr_of "$name")"; veth="clab-$name"
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$BRIDGE" up
  fi
  ip -n "$ns" link set lo up
  # A variable, not a pipe into grep -q: with pipefail, grep's early exit would fail the pipe.
  local addrs; addrs="$(ip -n "$ns" addr show dev eth0)"
  [[ "$addrs" == *"inet $addr/"* ]] || ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$SUBNET.1"
}

# A CA, a server certificate for the host's address and a client certificate, made once.
make_tls() {
  local name="$1" dir addr
  dir="$DIR/$name/tls"; addr="$(addr_of "$name")"
  [ -s "$dir/cert.pem" ] && return 0
  mkdir -p "$dir"; chmod 700 "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=clusterlab-extra-$name-ca" -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$addr" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$addr" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=clusterlab-client" -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 -extfile client.ext -out cert.pem 2>/dev/null
    rm -f ./*.csr ./*.ext ca.srl; chmod 600 ./*key.pem
  )
}

# tcp://<addr>:2375 in the clear, or tcp://<addr>:2376 with --tlsverify for the TLS host.
tcp_of() { if [ "$1" = "$TLS_HOST" ]; then printf 'tcp://%s:2376' "$(addr_of "$1")"; else printf 'tcp://%s:2375' "$(addr_of "$1")"; fi; }

start_engine() {
  local name="$1" ns addr home pid
  ns="$(ns_of "$name")"; addr="$(addr_of "$name")"; home="$DIR/$name"
  mkdir -p "$home"
  if answers "$name"; then return 0; fi
  if [ -s "$home/dockerd.pid" ] && kill -0 "$(cat "$home/dockerd.pid")" 2>/dev/null; then
    say "$name: dockerd (pid $(cat "$home/dockerd.pid")) is running but not answering yet; waiting"
  else
    rm -f "$home/dockerd.pid" "$(sock_of "$name")"
    local tcp=(--host "$(tcp_of "$name")")
    if [ "$name" = "$TLS_HOST" ]; then
      make_tls "$name"
      tcp+=(--tlsverify --tlscacert "$home/tls/ca.pem" --tlscert "$home/tls/server-cert.pem" --tlskey "$home/tls/server-key.pem")
    fi
    printf '\n==== %s dockerd\n' "$(date -Is)" >>"$home/dockerd.log"
    # Its own data, exec root, pidfile and sockets, so it never meets the main engine's state;
    # its own bridge subnet, so container addresses of the hosts differ too.
    setsid nohup nsenter --net="/run/netns/$ns" dockerd \
      --host "unix://$(sock_of "$name")" "${tcp[@]}" \
      --data-root "$home/data" --exec-root "$home/exec" --pidfile "$home/dockerd.pid" \
      --bip "172.$((30 + $(index_of "$name"))).0.1/16" \
      --default-address-pool "base=172.$((40 + $(index_of "$name"))).0.0/16,size=24" \
      >>"$home/dockerd.log" 2>&1 </dev/null &
  fi
  local deadline=$((SECONDS + WAIT_SECONDS))
  until answers "$name"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$home/dockerd.log" >&2 || true
      die "$name: dockerd did not answer within ${WAIT_SECONDS}s (log: $home/dockerd.log)"
    fi
    sleep 0.3
  done
}

load_base_image() {
  local name="$1" sock
  sock="unix://$(sock_of "$name")"
  docker -H "$sock" image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "the main engine has no $BASE_IMAGE: run scripts/toolchain.sh first"
  docker save "$BASE_IMAGE" | docker -H "$sock" load -q >/dev/null
}

start_sshd() {
  local name="$1" ns addr home
  ns="$(ns_of "$name")"; addr="$(addr_of "$name")"; home="$DIR/$name/ssh"
  mkdir -p "$home"; chmod 700 "$home"
  [ -s "$home/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C "clab-$name-host" -f "$home/host_key"
  [ -s "$home/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C "clab-$name-client" -f "$home/client_key"
  cp "$home/client_key.pub" "$home/authorized_keys"
  printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$home/host_key.pub")" >"$home/known_hosts"
  cat >"$home/sshd_config.new" <<EOF
ListenAddress $addr:22
HostKey $home/host_key
PidFile $home/sshd.pid
AuthorizedKeysFile $home/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
# The docker CLI on the far side runs 'docker system dial-stdio': it must meet this host's engine.
SetEnv DOCKER_HOST=unix://$(sock_of "$name")
# Every Docker call over ssh:// is an ssh connection of its own, and an up makes many at once
# (one per resource in flight). sshd's default MaxStartups 10:30:100 then drops 30% of those
# beyond 10 still authenticating ("kex_exchange_identification: Connection reset by peer"): a
# server used as a Docker host over ssh needs more, as stacks/presets/multi-server.yaml says.
MaxStartups 100:30:200
EOF
  # A changed config is taken by a restarted sshd; an unchanged one by the running one.
  if ! cmp -s "$home/sshd_config.new" "$home/sshd_config"; then
    mv -f "$home/sshd_config.new" "$home/sshd_config"
    kill_pidfile "$home/sshd.pid"
  else
    rm -f "$home/sshd_config.new"
  fi
  if [ -s "$home/sshd.pid" ] && kill -0 "$(cat "$home/sshd.pid")" 2>/dev/null; then return 0; fi
  mkdir -p /run/sshd
  nsenter --net="/run/netns/$ns" /usr/sbin/sshd -f "$home/sshd_config" -E "$home/sshd.log"
}

kill_pidfile() {
  local pidfile="$1" pid
  [ -s "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

# Everything an engine holds but its images: what a stack may have left behind goes with the
# host, while images stay as a cache (the next start finds the stacks' builds there, instead of
# building Hadoop or copying consul again on every run).
empty_engine() {
  local sock="unix://$(sock_of "$1")" ids
  ids="$(docker -H "$sock" ps -aq)"
  [ -z "$ids" ] || docker -H "$sock" rm -f -v $ids >/dev/null
  docker -H "$sock" network prune -f >/dev/null
  docker -H "$sock" volume prune -f >/dev/null
  # Build leftovers (untagged layers of superseded builds) are not cache worth keeping.
  docker -H "$sock" image prune -f >/dev/null
}

stop_host() {
  local name="$1" keep_images="$2" ns home keep=""
  ns="$(ns_of "$name")"; home="$DIR/$name"
  kill_pidfile "$home/ssh/sshd.pid"
  # Only an engine that answers can be emptied; one that does not loses its data root too.
  if [ "$keep_images" = 1 ] && answers "$name" && empty_engine "$name"; then keep=data; fi
  kill_pidfile "$home/dockerd.pid"
  ip link del "clab-$name" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  # Mounts dockerd left under its roots (overlay layers, netns files) go before the files do.
  local mounts
  mounts="$(grep -o " $home/[^ ]*" /proc/mounts | sort -r || true)"
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
  if [ -n "$keep" ] && [ -d "$home" ]; then
    find "$home" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} +
  else
    rm -rf "$home"
  fi
}

hosts=("${@:2}")
[ "${#hosts[@]}" -gt 0 ] || hosts=(host2 host3)

case "${1:-}" in
  start)
    [ "$(id -u)" = 0 ] || die "needs root (network namespaces, a dockerd per host)"
    command -v dockerd >/dev/null || die "dockerd is missing: run scripts/docker-engine.sh first"
    start=$SECONDS
    ensure_tools
    mkdir -p "$DIR"
    ensure_bridge
    for h in "${hosts[@]}"; do ensure_namespace "$h"; done
    for h in "${hosts[@]}"; do start_engine "$h" & done
    wait
    for h in "${hosts[@]}"; do answers "$h" || die "$h did not come up"; load_base_image "$h"; done
    if [ "$WITH_SSH" = 1 ] && [[ " ${hosts[*]} " == *" $SSH_HOST "* ]]; then start_sshd "$SSH_HOST"; fi
    say "up in $((SECONDS - start))s: $(for h in "${hosts[@]}"; do printf '%s=%s ' "$h" "$(tcp_of "$h")"; done)"
    ;;
  stop|purge)
    keep_images=1; [ "$1" = purge ] && keep_images=0
    for h in "${hosts[@]}"; do stop_host "$h" "$keep_images"; done
    # The bridge and its rules go once no host's namespace is left.
    if ! ip netns list 2>/dev/null | grep -q '^clab-'; then
      ip link del "$BRIDGE" 2>/dev/null || true
      for chain in DOCKER-USER FORWARD; do
        while iptables -D "$chain" -i "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
        while iptables -D "$chain" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
      done
      while iptables -t nat -D POSTROUTING -s "$SUBNET.0/24" ! -o "$BRIDGE" -j MASQUERADE 2>/dev/null; do :; done
      rmdir "$DIR" 2>/dev/null || true
    fi
    ;;
  stop-engine)
    [ "$#" -ge 2 ] || die "stop-engine needs a host name"
    for h in "${hosts[@]}"; do kill_pidfile "$DIR/$h/dockerd.pid"; done
    ;;
  status)
    for h in "${hosts[@]}"; do
      printf '%s %s %s\n' "$h" "$(tcp_of "$h")" "$(answers "$h" && echo up || echo down)"
    done
    ;;
  env)
    for h in "${hosts[@]}"; do
      u="$(printf %s "$h" | tr a-z A-Z)"
      printf '%s_DOCKER=%s\n%s_ADDRESS=%s\n%s_SOCKET=%s\n' "$u" "$(tcp_of "$h")" "$u" "$(addr_of "$h")" "$u" "$(sock_of "$h")"
    done
    printf 'TLS_HOST=%s\nTLS_DOCKER=%s\nTLS_CA=%s\nTLS_CERT=%s\nTLS_KEY=%s\n' "$TLS_HOST" "$(tcp_of "$TLS_HOST")" \
      "$DIR/$TLS_HOST/tls/ca.pem" "$DIR/$TLS_HOST/tls/cert.pem" "$DIR/$TLS_HOST/tls/key.pem"
    printf 'SSH_HOST=%s\nSSH_DOCKER=ssh://root@%s\nSSH_KEY=%s\nSSH_KNOWN_HOSTS=%s\n' "$SSH_HOST" "$(addr_of "$SSH_HOST")" \
      "$DIR/$SSH_HOST/ssh/client_key" "$DIR/$SSH_HOST/ssh/known_hosts"
    ;;
  *) die "usage: $0 start|stop|purge|stop-engine|status|env [host2 host3 …]" ;;
esac
