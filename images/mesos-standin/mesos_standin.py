#!/usr/bin/python3
"""A STAND-IN for the Apache Mesos master and agent, for dev clusters on machines that can
neither install Mesos (Debian has no package) nor pull an image of it.

It imitates what the wraxl stand-in scheduler and a person with a browser or curl see of Mesos:
the master's leader znode in ZooKeeper (`json.info_<seq>`, JSON MasterInfo), the master's
`/master/state` JSON (agents with their custom scalar resources and attributes), agents that
register and fall inactive when they stop heartbeating, and an agent that runs a command as the
build user in a sandbox under its work dir. It is NOT Mesos: no offers, no frameworks, no
scheduler/executor protocol, no replicated log, no containerizer — a docker_image job's image
is never run; its command runs directly in the agent container. See README.md.

Configured by the same variables as the upstream mesos images (MESOS_*), or by the same
`--flag=value` command-line options, so a stack sets one environment for either image.

    mesos-standin master      # MESOS_ZK MESOS_QUORUM MESOS_CLUSTER MESOS_PORT=5050 ...
    mesos-standin agent       # MESOS_MASTER MESOS_RESOURCES MESOS_ATTRIBUTES MESOS_PORT=5051 ...
"""

import json
import logging
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "standin"
ROLE_FILE = "/run/mesos-standin.role"
AGENT_TIMEOUT_SECONDS = 15.0
HEARTBEAT_SECONDS = 5.0
DEFAULT_TASK_TIMEOUT = 10800
TASK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

log = logging.getLogger("mesos-standin")


# ---------------------------------------------------------------- configuration


def flags_from(argv):
    """MESOS_* from the environment, overridden by --name=value options (as mesos-master takes)."""
    flags = {k[len("MESOS_"):].lower(): v for k, v in os.environ.items() if k.startswith("MESOS_")}
    for arg in argv:
        m = re.match(r"^--(no-)?([A-Za-z0-9_]+)(?:=(.*))?$", arg)
        if not m:
            raise SystemExit(f"mesos-standin: unrecognised argument {arg!r} (expected --name=value)")
        negated, name, value = m.groups()
        flags[name.lower()] = "false" if negated else ("true" if value is None else value)
    return flags


def parse_zk_url(url):
    """zk://[user:pass@]host1:2181,host2:2181/path -> ("host1:2181,host2:2181", "/path")."""
    m = re.match(r"^zk://(?:[^@/]*@)?([^/]+)(/.*)?$", url or "")
    if not m:
        return None
    path = (m.group(2) or "/mesos").rstrip("/") or "/mesos"
    return m.group(1), path


def parse_scalar(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def parse_resources(text):
    """Mesos resource syntax: `cpus:2;mem:1024;high:1`, `cpus(*):2`, `ports:[31000-32000]`,
    `disks:{a,b}`, or the JSON array form. Scalars become numbers; ranges and sets stay text
    (as /master/state shows them)."""
    text = (text or "").strip()
    out = {}
    if text.startswith("["):
        for item in json.loads(text):
            name = item["name"]
            if item.get("type", "SCALAR").upper() == "SCALAR":
                out[name] = parse_scalar(str(item["scalar"]["value"]))
            elif "ranges" in item:
                out[name] = "[" + ", ".join(f"{r['begin']}-{r['end']}" for r in item["ranges"]["range"]) + "]"
            else:
                out[name] = "{" + ",".join(item["set"]["item"]) + "}"
        return out
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"resource {part!r} is not name:value")
        name = re.sub(r"\(.*\)$", "", name.strip())  # cpus(*) / cpus(role) -> cpus
        value = value.strip()
        scalar = parse_scalar(value)
        out[name] = scalar if scalar is not None else value
    return out


def parse_attributes(text):
    """`location:yow;rack:r1;weight:2` -> {"location": "yow", "rack": "r1", "weight": 2}."""
    out = {}
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        name, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"attribute {part!r} is not name:value")
        scalar = parse_scalar(value.strip())
        out[name.strip()] = scalar if scalar is not None else value.strip()
    return out


def default_resources():
    """What a real agent detects when a resource is not given: cpus, mem (total less 1 GiB,
    as Mesos leaves for the system), disk, ports."""
    mem_mb = 1024
    try:
        with open("/proc/meminfo") as f:
            total_kb = int(next(line for line in f if line.startswith("MemTotal:")).split()[1])
        mem_mb = max(256, total_kb // 1024 - 1024)
    except (OSError, StopIteration, ValueError):
        pass
    disk_mb = shutil.disk_usage("/").free // (1024 * 1024)
    return {"cpus": os.cpu_count() or 1, "mem": mem_mb, "disk": disk_mb, "ports": "[31000-32000]"}


def own_ip():
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def http_json(method, url, body=None, timeout=5.0):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")


# ---------------------------------------------------------------- ZooKeeper


class Zk:
    """A kazoo client that keeps trying until ZooKeeper is up and reconnects after session
    loss, so a master or agent started before ZooKeeper waits instead of crash-looping."""

    def __init__(self, hosts):
        from kazoo.client import KazooClient
        from kazoo.retry import KazooRetry

        self.hosts = hosts
        self.client = KazooClient(
            hosts=hosts,
            timeout=10.0,
            connection_retry=KazooRetry(max_tries=-1, max_delay=5),
            command_retry=KazooRetry(max_tries=3, max_delay=2),
        )
        self._started = False

    def ensure_started(self):
        if self._started and self.client.connected:
            return True
        try:
            self.client.start(timeout=5)
            if not self._started:
                log.info("connected to ZooKeeper %s", self.hosts)
            self._started = True
            return True
        except Exception as exc:  # kazoo raises its own timeout type
            log.warning("ZooKeeper %s not reachable yet (%s); retrying", self.hosts, exc)
            try:
                self.client.stop()
            except Exception:
                pass
            return False

    def stop(self):
        try:
            self.client.stop()
            self.client.close()
        except Exception:
            pass


def leader_info(zk, path):
    """MasterInfo of the leading master: the json.info_ znode with the lowest sequence."""
    children = [c for c in zk.client.get_children(path) if c.startswith("json.info_")]
    if not children:
        return None, None
    leader = min(children, key=lambda c: int(c.rsplit("_", 1)[1]))
    data, _ = zk.client.get(f"{path}/{leader}")
    return leader, json.loads(data)


def master_url_from_info(info):
    address = info.get("address") or {}
    host = address.get("ip") or address.get("hostname") or info.get("hostname")
    port = address.get("port") or info.get("port") or 5050
    return f"http://{host}:{port}"


# ---------------------------------------------------------------- HTTP plumbing


class Handler(BaseHTTPRequestHandler):
    server_version = "mesos-standin/" + VERSION
    protocol_version = "HTTP/1.1"
    routes = {}  # (method, path) -> callable(handler, body) -> (status, obj[, headers])

    def log_message(self, fmt, *args):
        if not (self.path.startswith("/health") or self.path.startswith("/standin/agents")):
            log.info("%s %s", self.address_string(), fmt % args)

    def _dispatch(self, method):
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        route = self.routes.get((method, path))
        if route is None:
            return self._send(404, {"error": f"no route {method} {path}"})
        body = None
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
        try:
            result = route(self, body)
        except Exception as exc:
            log.exception("%s %s failed", method, path)
            return self._send(500, {"error": str(exc)})
        self._send(*result)

    def _send(self, status, obj, headers=None):
        payload = (obj if isinstance(obj, str) else json.dumps(obj, indent=1)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(obj, str) else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")


def serve(port, routes):
    handler = type("RoleHandler", (Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("0.0.0.0", port), handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------- master


class Master:
    def __init__(self, flags):
        self.flags = flags
        self.port = int(flags.get("port") or 5050)
        # As Mesos' --advertise_port: the port others reach us by (a published port on another host).
        self.advertise_port = int(flags.get("advertise_port") or self.port)
        self.hostname = flags.get("hostname") or socket.gethostname()
        self.ip = flags.get("advertise_ip") or flags.get("ip") or own_ip()
        self.cluster = flags.get("cluster") or ""
        self.id = str(uuid.uuid4())
        self.pid = f"master@{self.ip}:{self.advertise_port}"
        self.start_time = time.time()
        self.elected_time = None
        self.work_dir = flags.get("work_dir") or "/var/lib/mesos/master"
        self.zk_spec = parse_zk_url(flags.get("zk", ""))
        if flags.get("zk") and not self.zk_spec:
            raise SystemExit(f"mesos-standin: MESOS_ZK={flags['zk']!r} is not zk://host:port/path")
        self.zk = Zk(self.zk_spec[0]) if self.zk_spec else None
        self.znode = None  # our json.info_ node name
        self.leader = None  # MasterInfo of the leader (ourselves when leading)
        self.agents = {}  # id -> dict
        self.lock = threading.Lock()
        self.next_agent = 0

    def info(self):
        return {
            "id": self.id,
            "hostname": self.hostname,
            "ip": ip_to_int(self.ip),
            "port": self.advertise_port,
            "pid": self.pid,
            "version": VERSION,
            "address": {"hostname": self.hostname, "ip": self.ip, "port": self.advertise_port},
        }

    @property
    def leading(self):
        return self.leader is not None and self.leader.get("id") == self.id

    def zk_loop(self, stop):
        """Keep our ephemeral json.info_ node present and track who leads."""
        if self.zk is None:
            self.leader = self.info()
            self.elected_time = time.time()
            log.info("no MESOS_ZK: standalone, leading")
            return
        hosts, path = self.zk_spec
        while not stop.is_set():
            try:
                if self.zk.ensure_started():
                    self.zk.client.ensure_path(path)
                    if self.znode is None or not self.zk.client.exists(f"{path}/{self.znode}"):
                        created = self.zk.client.create(
                            f"{path}/json.info_", json.dumps(self.info()).encode(), ephemeral=True, sequence=True
                        )
                        self.znode = created.rsplit("/", 1)[1]
                        log.info("registered %s/%s in ZooKeeper", path, self.znode)
                    _, info = leader_info(self.zk, path)
                    was_leading = self.leading
                    self.leader = info
                    if self.leading and not was_leading:
                        self.elected_time = time.time()
                        log.info("elected leading master %s", self.pid)
                    elif was_leading and not self.leading:
                        log.warning("no longer leading; leader is %s", (info or {}).get("pid"))
            except Exception as exc:
                log.warning("ZooKeeper: %r", exc)
            stop.wait(2)

    def agent_view(self, a, now):
        return {
            "id": a["id"],
            "hostname": a["hostname"],
            "port": a["port"],
            "pid": f"slave(1)@{a['ip']}:{a['port']}",
            "registered_time": a["registered_time"],
            "last_heartbeat": a["last_seen"],
            "resources": a["resources"],
            "used_resources": {k: 0 for k, v in a["resources"].items() if isinstance(v, (int, float))},
            "offered_resources": {},
            "attributes": a["attributes"],
            "active": now - a["last_seen"] <= AGENT_TIMEOUT_SECONDS,
            "version": a.get("version", VERSION),
            "capabilities": [],
        }

    def redirect_to_leader(self, handler):
        if self.leading or not self.leader:
            return None
        location = master_url_from_info(self.leader) + handler.path
        return 307, {"error": "not the leading master", "leader": location}, {"Location": location}

    # routes
    def get_health(self, handler, body):
        return 200, ""

    def get_state(self, handler, body):
        redirect = self.redirect_to_leader(handler)
        if redirect:
            return redirect
        now = time.time()
        with self.lock:
            slaves = [self.agent_view(a, now) for a in self.agents.values()]
        active = sum(1 for s in slaves if s["active"])
        leader = self.leader or {}
        return 200, {
            "version": VERSION,
            "git_sha": "",
            "build_date": "",
            "start_time": self.start_time,
            "elected_time": self.elected_time,
            "id": self.id,
            "pid": self.pid,
            "hostname": self.hostname,
            "cluster": self.cluster,
            "leader": leader.get("pid", ""),
            "leader_info": leader,
            "activated_slaves": active,
            "deactivated_slaves": len(slaves) - active,
            "flags": self.flags,
            "slaves": slaves,
            "frameworks": [],
            "completed_frameworks": [],
            "orphan_tasks": [],
            "unregistered_frameworks": [],
            "standin": True,
        }

    def post_agent(self, handler, body):
        redirect = self.redirect_to_leader(handler)
        if redirect:
            return redirect
        if not self.leading:
            return 503, {"error": "no leading master elected yet"}
        if not isinstance(body, dict) or not body.get("hostname") or not body.get("port"):
            return 400, {"error": "expected JSON {id?, hostname, ip, port, resources, attributes}"}
        now = time.time()
        with self.lock:
            agent_id = body.get("id")
            if not agent_id or agent_id not in self.agents:
                if not agent_id:
                    agent_id = f"{self.id}-S{self.next_agent}"
                    self.next_agent += 1
                log.info("agent %s registered: %s:%s resources=%s attributes=%s", agent_id, body["hostname"],
                         body["port"], body.get("resources"), body.get("attributes"))
                registered_time = now
            else:
                registered_time = self.agents[agent_id]["registered_time"]
                if now - self.agents[agent_id]["last_seen"] > AGENT_TIMEOUT_SECONDS:
                    log.info("agent %s re-registered (was inactive)", agent_id)
            self.agents[agent_id] = {
                "id": agent_id,
                "hostname": body["hostname"],
                "ip": body.get("ip") or body["hostname"],
                "port": int(body["port"]),
                "resources": body.get("resources") or {},
                "attributes": body.get("attributes") or {},
                "version": body.get("version", VERSION),
                "registered_time": registered_time,
                "last_seen": now,
            }
        return 200, {"agent_id": agent_id, "master_id": self.id, "master_pid": self.pid}

    def run(self, stop):
        os.makedirs(self.work_dir, exist_ok=True)
        threading.Thread(target=self.zk_loop, args=(stop,), daemon=True, name="zk").start()
        routes = {
            ("GET", "/health"): self.get_health,
            ("GET", "/master/health"): self.get_health,
            ("GET", "/master/state"): self.get_state,
            ("GET", "/state"): self.get_state,
            ("GET", "/master/state.json"): self.get_state,
            ("GET", "/state.json"): self.get_state,
            ("POST", "/standin/agents"): self.post_agent,
        }
        log.info("master %s (cluster %r, quorum %s, registry %s) listening on :%d", self.pid, self.cluster,
                 self.flags.get("quorum", "1"), self.flags.get("registry", "replicated_log"), self.port)
        return serve(self.port, routes)

    def close(self):
        if self.zk:
            self.zk.stop()  # drops the ephemeral node now, so another master leads at once


def ip_to_int(ip):
    """MasterInfo.ip is the IPv4 address as a little-endian uint32 (network order bytes)."""
    try:
        return int.from_bytes(socket.inet_aton(ip), "little")
    except OSError:
        return 0


# ---------------------------------------------------------------- agent


def ensure_user(name, uid, home, gid=None):
    """The build user tasks run as (the seed's wrlbuild, uid 1000, gid 1000, /home/wrlbuild)."""
    uid = int(uid)
    gid = int(gid) if gid is not None else uid
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        pw = None
    if pw is None:
        try:
            gid = grp.getgrgid(gid).gr_gid
        except KeyError:
            subprocess.run(["groupadd", "-g", str(gid), name], check=True)
        subprocess.run(["useradd", "-o", "-M", "-u", str(uid), "-g", str(gid), "-d", home, "-s", "/bin/bash", name],
                       check=True)
        log.info("created build user %s (uid %d, home %s)", name, uid, home)
        pw = pwd.getpwnam(name)
    elif pw.pw_uid != uid:
        log.warning("build user %s exists with uid %d, not %d; using it as it is", name, pw.pw_uid, uid)
    if not os.path.isdir(pw.pw_dir):
        os.makedirs(pw.pw_dir, exist_ok=True)
        os.chown(pw.pw_dir, pw.pw_uid, pw.pw_gid)
    return pw


def read_master_address(spec):
    """host:port, http://host:port, or None for zk:// (resolved through ZooKeeper)."""
    spec = spec.strip()
    if spec.startswith("http://") or spec.startswith("https://"):
        return spec.rstrip("/")
    if re.match(r"^[^/:]+(:\d+)?$", spec):
        return "http://" + (spec if ":" in spec else f"{spec}:5050")
    return None


class Agent:
    def __init__(self, flags):
        self.flags = flags
        self.port = int(flags.get("port") or 5051)
        self.advertise_port = int(flags.get("advertise_port") or self.port)
        self.hostname = flags.get("hostname") or socket.gethostname()
        self.ip = flags.get("advertise_ip") or flags.get("ip") or own_ip()
        self.work_dir = flags.get("work_dir") or "/var/lib/mesos/agent"
        master = flags.get("master") or ""
        if not master:
            raise SystemExit("mesos-standin agent: MESOS_MASTER is required (zk://host:2181/mesos or host:5050)")
        self.master_static = read_master_address(master)
        self.zk_spec = None if self.master_static else parse_zk_url(master)
        if not self.master_static and not self.zk_spec:
            raise SystemExit(f"mesos-standin agent: MESOS_MASTER={master!r} is neither zk://… nor host:port")
        self.zk = Zk(self.zk_spec[0]) if self.zk_spec else None
        resources = default_resources()
        resources.update(parse_resources(flags.get("resources", "")))
        self.resources = resources
        self.attributes = parse_attributes(flags.get("attributes", ""))
        self.containerizers = flags.get("containerizers", "mesos")
        self.user = {
            "name": os.environ.get("CLUSTERLAB_BUILD_USER", "wrlbuild"),
            "uid": int(os.environ.get("CLUSTERLAB_BUILD_UID", "1000")),
            "home": os.environ.get("CLUSTERLAB_BUILD_HOME", "/home/wrlbuild"),
            "gid": int(os.environ.get("CLUSTERLAB_BUILD_GID", os.environ.get("CLUSTERLAB_BUILD_UID", "1000"))),
        }
        self.id = self._load_id()
        self.master_url = None
        self.master_pid = None
        self.registered_at = None  # time of the last accepted (re-)registration
        self.tasks = {}  # id -> summary, most recent last
        self.tasks_lock = threading.Lock()

    def _load_id(self):
        # Kept in the work dir so a restarted agent (same volume) comes back as the same agent.
        path = os.path.join(self.work_dir, "meta", "slave_id")
        try:
            with open(path) as f:
                return f.read().strip() or None
        except OSError:
            return None

    def _save_id(self, agent_id):
        path = os.path.join(self.work_dir, "meta", "slave_id")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(agent_id)

    @property
    def registered(self):
        return self.registered_at is not None and time.time() - self.registered_at <= AGENT_TIMEOUT_SECONDS

    def discover_master(self):
        if self.master_static:
            return self.master_static
        if not self.zk.ensure_started():
            return None
        hosts, path = self.zk_spec
        if not self.zk.client.exists(path):
            return None
        _, info = leader_info(self.zk, path)
        return master_url_from_info(info) if info else None

    def register_loop(self, stop):
        while not stop.is_set():
            try:
                url = self.discover_master()
                if url is None:
                    log.info("no leading master in ZooKeeper yet")
                else:
                    if url != self.master_url:
                        log.info("leading master is %s", url)
                        self.master_url = url
                    registration = {
                        "id": self.id,
                        "hostname": self.hostname,
                        "ip": self.ip,
                        "port": self.advertise_port,
                        "resources": self.resources,
                        "attributes": self.attributes,
                        "version": VERSION,
                    }
                    try:
                        reply = http_json("POST", url + "/standin/agents", registration)
                    except urllib.error.HTTPError as exc:
                        # A standby master (MESOS_MASTER=host:port naming one) points at the leader.
                        location = exc.headers.get("Location") if exc.code == 307 else None
                        if not location:
                            raise
                        reply = http_json("POST", location, registration)
                    if self.registered_at is None or reply["agent_id"] != self.id:
                        log.info("registered with master %s as agent %s", reply.get("master_pid"), reply["agent_id"])
                    if reply["agent_id"] != self.id:
                        self.id = reply["agent_id"]
                        self._save_id(self.id)
                    self.master_pid = reply.get("master_pid")
                    self.registered_at = time.time()
            except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
                log.warning("registration with %s failed: %s", self.master_url or "master", exc)
            except Exception as exc:
                log.warning("master discovery failed: %r", exc)
            stop.wait(HEARTBEAT_SECONDS)

    # routes
    def get_health(self, handler, body):
        if self.registered:
            return 200, ""
        return 503, "not registered with a master\n"

    def get_state(self, handler, body):
        with self.tasks_lock:
            tasks = list(self.tasks.values())[-50:]
        return 200, {
            "version": VERSION,
            "id": self.id,
            "pid": f"slave(1)@{self.ip}:{self.advertise_port}",
            "hostname": self.hostname,
            "resources": self.resources,
            "attributes": self.attributes,
            "master_hostname": self.master_url,
            "master_pid": self.master_pid,
            "registered": self.registered,
            "build_user": self.user,
            "flags": self.flags,
            "tasks": tasks,
            "standin": True,
        }

    def post_task(self, handler, body):
        if not isinstance(body, dict) or not isinstance(body.get("cmd"), list) or not body["cmd"]:
            return 400, {"error": "expected JSON {id, cmd: [..], env?: {..}, timeout?: seconds}"}
        task_id = str(body.get("id") or uuid.uuid4())
        if not TASK_ID_RE.match(task_id):
            return 400, {"error": f"task id {task_id!r} must match {TASK_ID_RE.pattern}"}
        cmd = [str(c) for c in body["cmd"]]
        env_extra = {str(k): str(v) for k, v in (body.get("env") or {}).items()}
        timeout = float(body.get("timeout") or DEFAULT_TASK_TIMEOUT)
        user = body.get("user") or self.user
        pw = ensure_user(user["name"], user.get("uid", self.user["uid"]), user.get("home", self.user["home"]))

        sandbox = os.path.join(self.work_dir, "tasks", task_id)
        os.makedirs(sandbox, exist_ok=True)
        os.chown(sandbox, pw.pw_uid, pw.pw_gid)
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": pw.pw_dir,
            "USER": pw.pw_name,
            "LOGNAME": pw.pw_name,
            "SHELL": pw.pw_shell or "/bin/sh",
            "LANG": "C.UTF-8",
            "MESOS_SANDBOX": sandbox,
            "MESOS_TASK_ID": task_id,
            "MESOS_AGENT_ID": self.id or "",
        }
        env.update(env_extra)
        summary = {"id": task_id, "name": body.get("name", task_id), "cmd": cmd, "state": "TASK_RUNNING",
                   "user": pw.pw_name, "sandbox": sandbox, "started": time.time()}
        if body.get("docker_image"):
            # Honest about the stand-in's limit: the image is recorded, never run.
            summary["docker_image_not_run"] = body["docker_image"]
        with self.tasks_lock:
            self.tasks[task_id] = summary
        log.info("task %s: running %s as %s in %s", task_id, cmd, pw.pw_name, sandbox)

        timed_out = False
        with open(os.path.join(sandbox, "stdout"), "wb") as out, open(os.path.join(sandbox, "stderr"), "wb") as err:
            for f in (out, err):
                os.fchown(f.fileno(), pw.pw_uid, pw.pw_gid)
            try:
                proc = subprocess.Popen(cmd, cwd=sandbox, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                        user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], start_new_session=True)
            except OSError as exc:
                err.write(f"mesos-standin: cannot start {cmd[0]}: {exc}\n".encode())
                exit_code = 127
            else:
                try:
                    exit_code = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait()
                    exit_code = proc.returncode
                if exit_code < 0:  # killed by a signal: report it as a shell would
                    exit_code = 128 - exit_code
        stdout = read_tail(os.path.join(sandbox, "stdout"))
        stderr = read_tail(os.path.join(sandbox, "stderr"))
        state = "TASK_FINISHED" if exit_code == 0 else "TASK_FAILED"
        summary.update(state=state, exit_code=exit_code, finished=time.time(), timed_out=timed_out)
        log.info("task %s: %s (exit %d%s)", task_id, state, exit_code, ", timed out" if timed_out else "")
        result = {
            "id": task_id,
            "exit_code": exit_code,
            "stdout": stdout,
            "stderr": stderr,
            "state": state,
            "timed_out": timed_out,
            "agent_id": self.id,
            "hostname": self.hostname,
            "user": pw.pw_name,
            "sandbox": sandbox,
        }
        if "docker_image_not_run" in summary:
            result["docker_image_not_run"] = summary["docker_image_not_run"]
        return 200, result

    def run(self, stop):
        os.makedirs(os.path.join(self.work_dir, "tasks"), exist_ok=True)
        ensure_user(self.user["name"], self.user["uid"], self.user["home"], self.user["gid"])
        threading.Thread(target=self.register_loop, args=(stop,), daemon=True, name="register").start()
        routes = {
            ("GET", "/health"): self.get_health,
            ("GET", "/slave(1)/health"): self.get_health,
            ("GET", "/state"): self.get_state,
            ("GET", "/state.json"): self.get_state,
            ("GET", "/slave(1)/state"): self.get_state,
            ("POST", "/standin/tasks"): self.post_task,
        }
        log.info("agent on %s:%d resources=%s attributes=%s containerizers=%s (docker images are not run)",
                 self.hostname, self.port, self.resources, self.attributes, self.containerizers)
        return serve(self.port, routes)

    def close(self):
        if self.zk:
            self.zk.stop()


def read_tail(path, limit=1 << 20):
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - limit))
        return f.read().decode("utf-8", "replace")


# ---------------------------------------------------------------- main


def main(argv):
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kazoo.client").setLevel(logging.WARNING)
    # Upstream images pick the role by image (mesos-master, mesos-slave) and take all settings
    # from MESOS_*; with no role argument the stand-in does the same from the env, so a
    # component gives the real and the stand-in image identical containers.
    if argv and argv[0] in ("master", "agent"):
        role, argv = argv[0], argv[1:]
    elif os.environ.get("MESOS_MASTER"):
        role = "agent"
    elif os.environ.get("MESOS_ZK"):
        role = "master"
    else:
        print(__doc__, file=sys.stderr)
        return 2
    flags = flags_from(argv)
    node = Master(flags) if role == "master" else Agent(flags)
    stop = threading.Event()

    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    server = node.run(stop)
    try:
        with open(ROLE_FILE, "w") as f:
            f.write(f"{role} {node.port}\n")
    except OSError:
        pass
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        stop.set()
        node.close()
        log.info("%s stopped", role)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
