#!/bin/bash
# Renders zoo.cfg from the same variables as the official zookeeper image's entrypoint, then
# runs the server in the foreground as PID 1.
#   ZOO_MY_ID (1)  ZOO_SERVERS ("server.1=zk1:2888:3888;2181 server.2=..."; default: standalone)  ZOO_4LW_COMMANDS_WHITELIST (ruok,srvr,mntr)  ZOO_TICK_TIME (2000)
#   ZOO_INIT_LIMIT (5)  ZOO_SYNC_LIMIT (2)  ZOO_AUTOPURGE_SNAPRETAINCOUNT (3)
#   ZOO_AUTOPURGE_PURGEINTERVAL (0)  ZOO_MAX_CLIENT_CNXNS (60)  ZOO_STANDALONE_ENABLED (true)
#   ZOO_ADMINSERVER_ENABLED (false here: the Jetty admin UI costs memory and a port)
#   ZOO_DATA_DIR (/data)  ZOO_DATA_LOG_DIR (unset: same as dataDir)  ZOO_CFG_EXTRA ("k=v k=v")
#   ZOO_HEAP (256m)  JVMFLAGS (extra JVM options)
# A zoo.cfg already in $ZOO_CONF_DIR (mounted by the user) is used as is.
set -euo pipefail

CONFIG="$ZOO_CONF_DIR/zoo.cfg"
if [[ ! -f "$CONFIG" ]]; then
  {
    echo "dataDir=$ZOO_DATA_DIR"
    [[ -n "${ZOO_DATA_LOG_DIR:-}" ]] && echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "clientPort=${ZOO_PORT:-2181}"
    echo "tickTime=${ZOO_TICK_TIME:-2000}"
    echo "initLimit=${ZOO_INIT_LIMIT:-5}"
    echo "syncLimit=${ZOO_SYNC_LIMIT:-2}"
    echo "autopurge.snapRetainCount=${ZOO_AUTOPURGE_SNAPRETAINCOUNT:-3}"
    echo "autopurge.purgeInterval=${ZOO_AUTOPURGE_PURGEINTERVAL:-0}"
    echo "maxClientCnxns=${ZOO_MAX_CLIENT_CNXNS:-60}"
    echo "standaloneEnabled=${ZOO_STANDALONE_ENABLED:-true}"
    echo "admin.enableServer=${ZOO_ADMINSERVER_ENABLED:-false}"
    # No ZOO_SERVERS: plain standalone (the official image writes a lone server.1 line, which
    # ZooKeeper then logs as an ERROR and ignores).
    for server in ${ZOO_SERVERS:-}; do
      echo "$server"
    done
    [[ -n "${ZOO_4LW_COMMANDS_WHITELIST:-}" ]] && echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
    for extra in ${ZOO_CFG_EXTRA:-}; do
      echo "$extra"
    done
  } >"$CONFIG"
fi

mkdir -p "$ZOO_DATA_DIR" ${ZOO_DATA_LOG_DIR:+"$ZOO_DATA_LOG_DIR"}
if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

# A command given to the container (zkCli-style tools, bash) runs instead of the server.
if [[ $# -gt 0 ]]; then
  exec "$@"
fi

# Debian's jar carries a Class-Path to its dependencies in /usr/share/java, but no slf4j
# binding: without slf4j-log4j12 the server logs nothing at all.
# SerialGC and a small heap: one client-facing dev server, not a production ensemble.
# shellcheck disable=SC2086
exec java -Xmx"${ZOO_HEAP}" -Xms32m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
  -Dzookeeper.log.dir=/tmp -Dlog4j.configuration="file:$ZOO_CONF_DIR/log4j.properties" \
  ${JVMFLAGS:-} \
  -cp "$ZOO_CONF_DIR:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar" \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONFIG"
