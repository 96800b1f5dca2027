#!/usr/bin/python3
"""A STAND-IN for the Apache Aurora scheduler, for dev clusters on machines that can neither
install Aurora (no Debian package, no Maven or Gradle build here) nor pull an image of it.

It takes the real scheduler's command line (`-name=value` flags; an unknown flag or a missing
required one stops it, as Aurora does), reads the `-custom_executor_config` JSON with the rules
of Aurora's ExecutorSettingsLoader (a JSON array; snake_case keys; unknown keys, a missing
executor name or command, a duplicate name are errors, so it exits), finds the leading Mesos
master through ZooKeeper and reads its state, announces itself in ZooKeeper under
`-serverset_path`, and serves `-http_port` with `/health`, `/vars` and a small job API.

It is NOT Aurora: no Thrift API, no offers, no Mesos framework registration, no replicated log.
Thermos jobs' tasks are launched on an active agent of the Mesos stand-in (the one with the fewest
tasks from this scheduler) through the agent's task API, at the address the agent advertises
(its pid), so across hosts too: their processes run in sequence as the job's role. Custom
executor jobs are recorded with task ids, never run (the executors cannot be had here), and a
kill does not stop a launched task (the Mesos stand-in has no kill). What it received is exposed:
  GET  /standin/flags            the argv and the parsed flags
  GET  /standin/executor-config  the executor config file's bytes, as read
  GET  /standin/executors        the executors it parsed from it
  GET  /standin/state            the leading master and its agents, as last read
  GET  /standin/jobs             the jobs, with their executor, task ids, status and, for
                                 launched tasks, where they run and how they ended ("placements")
  POST /standin/jobs             {"key": "cluster/role/env/name", "config": JobConfiguration}
  POST /standin/jobs/kill        {"key": ...}
"""

import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THERMOS_EXECUTOR = "AuroraExecutor"
REQUIRED_FLAGS = ["cluster_name", "mesos_master_address", "zk_endpoints", "serverset_path",
                  "native_log_file_path", "backup_dir"]
# The flags the stand-in understands; Aurora knows many more, and a stack may pass those too.
KNOWN_FLAGS = set(REQUIRED_FLAGS) | {
    "http_port", "native_log_zk_group_path", "native_log_quorum_size", "thermos_executor_path",
    "thermos_executor_resources", "thermos_executor_flags", "allowed_container_types",
    "custom_executor_config", "enable_mesos_fetcher", "min_offer_hold_time", "mesos_role",
    "framework_name", "framework_authentication_file", "populate_discovery_info",
    "enable_revocable_cpus", "enable_revocable_ram", "allow_docker_parameters", "allow_container_volumes",
    "require_docker_use_executor", "thermos_observer_root", "thermos_home_in_sandbox", "ip",
    "hostname", "zk_session_timeout", "max_tasks_per_job", "offer_hold_jitter_window",
    "max_schedule_attempts_per_sec", "flapping_task_threshold", "initial_schedule_penalty",
    "receive_revocable_resources", "tier_config", "webhook_config", "shiro_realm_modules",
    "http_authentication_mechanism", "enable_preemptor", "preemption_delay", "global_container_mounts",
}

log = logging.getLogger("aurora-scheduler-standin")


class ConfigError(Exception):
    pass


def parse_flags(argv):
    flags = {}
    for arg in argv:
        m = re.match(r"^--?([a-z][a-z0-9_]*)(?:=(.*))?$", arg, re.S)
        if not m:
            raise ConfigError(f"unrecognised argument {arg!r}: expected -name=value")
        name, value = m.group(1), m.group(2)
        if name not in KNOWN_FLAGS:
            raise ConfigError(f"unknown flag -{name}")
        flags[name] = "true" if value is None else value
    missing = [name for name in REQUIRED_FLAGS if name not in flags]
    if missing:
        raise ConfigError("missing required flags: " + ", ".join("-" + name for name in missing))
    return flags


def check_keys(obj, where, allowed, required=()):
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected an object")
    for key in obj:
        if key not in allowed:
            # Jackson's default: an unknown property fails the whole read (camelCase keys end here).
            raise ConfigError(f"{where}: unrecognized field {key!r} (known: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in obj:
            raise ConfigError(f"{where}: missing {key!r}")


def as_bool(value, where):
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):  # Jackson coerces these strings, as the seed's sample relies on
        return value == "true"
    raise ConfigError(f"{where}: expected a boolean, got {value!r}")


def parse_executor_config(text):
    """The rules of Aurora's ExecutorSettingsLoader on its JSON (mesos.ExecutorInfo in snake_case)."""
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"not JSON: {exc}")
    if not isinstance(entries, list):
        raise ConfigError("expected a JSON array of executor entries")
    executors, names = [], set()
    for i, entry in enumerate(entries):
        where = f"[{i}]"
        check_keys(entry, where, {"executor", "volume_mounts", "task_prefix"}, ["executor"])
        ex = entry["executor"]
        check_keys(ex, where + ".executor", {"name", "command", "resources", "executor_id", "framework_id",
                                              "container", "data", "source", "labels"}, ["name", "command"])
        if not isinstance(ex["name"], str) or not ex["name"]:
            raise ConfigError(f"{where}.executor.name: expected a non-empty string")
        if ex["name"] in names or ex["name"] == THERMOS_EXECUTOR:
            raise ConfigError(f"{where}.executor.name: duplicate executor name {ex['name']!r}")
        names.add(ex["name"])
        cmd = ex["command"]
        check_keys(cmd, where + ".executor.command", {"value", "shell", "arguments", "uris", "environment", "user"},
                   ["value"])
        shell = as_bool(cmd.get("shell", True), where + ".executor.command.shell")
        uris = []
        for j, uri in enumerate(cmd.get("uris", [])):
            uwhere = f"{where}.executor.command.uris[{j}]"
            check_keys(uri, uwhere, {"value", "executable", "extract", "cache", "output_file"}, ["value"])
            uris.append({"value": uri["value"], **{k: as_bool(uri.get(k, d), f"{uwhere}.{k}")
                                                   for k, d in (("executable", False), ("extract", True), ("cache", False))}})
        for j, res in enumerate(ex.get("resources", [])):
            rwhere = f"{where}.executor.resources[{j}]"
            check_keys(res, rwhere, {"name", "type", "scalar", "role"}, ["name", "type"])
            if res["type"] != "SCALAR" or not isinstance((res.get("scalar") or {}).get("value"), (int, float)):
                raise ConfigError(f"{rwhere}: expected type SCALAR with scalar.value a number")
        for j, mount in enumerate(entry.get("volume_mounts") or []):
            mwhere = f"{where}.volume_mounts[{j}]"
            check_keys(mount, mwhere, {"host_path", "container_path", "mode"}, ["host_path", "container_path", "mode"])
            if mount["mode"] not in ("RO", "RW"):
                raise ConfigError(f"{mwhere}.mode: expected RO or RW")
        executors.append({
            "name": ex["name"], "task_prefix": entry.get("task_prefix") or "", "shell": shell,
            "command": cmd["value"], "arguments": cmd.get("arguments", []), "uris": uris,
            "resources": ex.get("resources", []), "volume_mounts": entry.get("volume_mounts") or [],
        })
    return executors


class Scheduler:
    def __init__(self, argv):
        self.argv = argv
        self.flags = parse_flags(argv)
        self.port = int(self.flags.get("http_port", "8081"))
        self.cluster = self.flags["cluster_name"]
        self.fetcher = self.flags.get("enable_mesos_fetcher", "false") == "true"
        self.config_bytes = b""
        self.executors = []
        path = self.flags.get("custom_executor_config")
        if path:
            with open(path, "rb") as f:
                self.config_bytes = f.read()
            self.executors = parse_executor_config(self.config_bytes.decode("utf-8"))
            if not self.fetcher and any(e["uris"] for e in self.executors):
                log.warning("custom executors have uris but -enable_mesos_fetcher is not true: they would not be fetched")
        m = re.match(r"^zk://([^/]+)(/.*)$", self.flags["mesos_master_address"])
        if not m:
            raise ConfigError("-mesos_master_address: expected zk://host:port/path")
        self.mesos_zk_path = m.group(2)
        self.state = {"master": None, "agents": [], "serverset_member": None, "read_at": None}
        self.jobs_file = os.path.join(self.flags["native_log_file_path"], "standin-jobs.json")
        self.jobs = self._load_jobs()
        self.lock = threading.Lock()

    def _load_jobs(self):
        try:
            with open(self.jobs_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _save_jobs(self):
        os.makedirs(os.path.dirname(self.jobs_file), exist_ok=True)
        tmp = self.jobs_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.jobs, f)
        os.replace(tmp, self.jobs_file)

    @property
    def ready(self):
        return self.state["master"] is not None and self.state["serverset_member"] is not None

    def zk_loop(self, stop):
        from kazoo.client import KazooClient
        from kazoo.retry import KazooRetry
        zk = KazooClient(hosts=self.flags["zk_endpoints"], timeout=10.0,
                         connection_retry=KazooRetry(max_tries=-1, max_delay=5))
        started = False
        while not stop.is_set():
            try:
                if not started:
                    zk.start(timeout=5)
                    started = True
                    log.info("connected to ZooKeeper %s", self.flags["zk_endpoints"])
                path = self.flags["serverset_path"]
                member = self.state["serverset_member"]
                if member is None or not zk.exists(member):
                    zk.ensure_path(path)
                    me = {"host": socket.gethostname(), "port": self.port}
                    self.state["serverset_member"] = zk.create(path + "/member_", json.dumps({
                        "serviceEndpoint": me, "additionalEndpoints": {"http": me}, "status": "ALIVE",
                    }).encode(), ephemeral=True, sequence=True)
                    log.info("announced in ZooKeeper as %s", self.state["serverset_member"])
                children = [c for c in zk.get_children(self.mesos_zk_path) if c.startswith("json.info_")] \
                    if zk.exists(self.mesos_zk_path) else []
                if children:
                    leader = min(children, key=lambda c: int(c.rsplit("_", 1)[1]))
                    info = json.loads(zk.get(f"{self.mesos_zk_path}/{leader}")[0])
                    address = info.get("address") or {}
                    # The address in the master's pid, as Mesos' clients use: across hosts that is the
                    # advertised address and published port, which the master's hostname is not.
                    url = f"http://{address.get('ip') or address.get('hostname') or info['hostname']}:{address.get('port') or info['port']}"
                    with urllib.request.urlopen(url + "/master/state", timeout=5) as resp:
                        state = json.loads(resp.read())
                    if self.state["master"] is None:
                        log.info("leading Mesos master %s at %s", state.get("pid"), url)
                    self.state.update(master={"url": url, "pid": state.get("pid"), "cluster": state.get("cluster")},
                                      agents=[{"hostname": s["hostname"], "active": s["active"], "pid": s.get("pid"),
                                               "resources": s["resources"], "attributes": s["attributes"]}
                                              for s in state.get("slaves", [])],
                                      read_at=time.time())
                else:
                    log.info("no leading Mesos master in ZooKeeper yet")
            except Exception as exc:
                log.warning("ZooKeeper/master: %r", exc)
                if not started:
                    try:
                        zk.stop()
                    except Exception:
                        pass
            stop.wait(3)
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass

    def create_job(self, body):
        key = (body or {}).get("key", "")
        config = (body or {}).get("config") or {}
        parts = key.split("/")
        if len(parts) != 4 or not all(parts):
            return 400, {"error": f"job key {key!r} is not cluster/role/environment/name"}
        if parts[0] != self.cluster:
            return 400, {"error": f"job key {key!r} is for cluster {parts[0]!r}; this scheduler is {self.cluster!r}"}
        task = config.get("taskConfig") or {}
        executor = (task.get("executorConfig") or {}).get("name", "")
        by_name = {e["name"]: e for e in self.executors}
        if executor != THERMOS_EXECUTOR and executor not in by_name:
            return 400, {"error": f"unknown executor {executor!r}: the scheduler knows {THERMOS_EXECUTOR} and "
                                  f"{', '.join(by_name) or 'no custom executor'}"}
        with self.lock:
            existing = self.jobs.get(key)
            if existing and existing["status"] == "RUNNING":
                return 409, {"error": f"job {key} already exists"}
            prefix = by_name[executor]["task_prefix"] if executor in by_name else ""
            _, role, env, name = parts
            instances = int(config.get("instanceCount", 1))
            job = {"key": key, "executor": executor, "status": "RUNNING", "created": time.time(),
                   "task_ids": [f"{prefix}{role}-{env}-{name}-{i}-{uuid.uuid4()}" for i in range(instances)],
                   "config": config}
            self.jobs[key] = job
            launches = self._place(job, task) if executor == THERMOS_EXECUTOR else []
            self._save_jobs()
        for task_id, agent in launches:
            threading.Thread(target=self._launch, args=(key, task_id, agent, role, task), daemon=True,
                             name=f"launch-{task_id}").start()
        log.info("job %s created on %s (tasks %s; %s)", key, executor, job["task_ids"],
                 "launched" if launches else "not launched: stand-in")
        return 200, {"response": "OK", "key": key, "executor": executor, "task_ids": job["task_ids"]}

    def _place(self, job, task):
        """Each task on the active agent with the fewest of this scheduler's tasks (by name on a
        tie): what offers would give a job on idle agents. Caller holds the lock."""
        agents = [a for a in self.state["agents"] if a["active"] and "@" in (a.get("pid") or "")]
        if not agents:
            job["placements"] = {t: {"state": "PENDING", "reason": "no active agent"} for t in job["task_ids"]}
            return []
        load = {a["hostname"]: 0 for a in agents}
        for other in self.jobs.values():
            for placement in (other.get("placements") or {}).values():
                if placement.get("agent") in load and placement.get("state") in ("STARTING", "RUNNING"):
                    load[placement["agent"]] += 1
        launches, placements = [], {}
        for task_id in job["task_ids"]:
            agent = min(agents, key=lambda a: (load[a["hostname"]], a["hostname"]))
            load[agent["hostname"]] += 1
            placements[task_id] = {"agent": agent["hostname"], "pid": agent["pid"], "state": "STARTING"}
            launches.append((task_id, agent))
        job["placements"] = placements
        return launches

    def _launch(self, key, task_id, agent, role, task):
        """Runs the thermos task's processes in sequence on the agent, as the job's role (its Unix
        user), and records how it ended. Synchronous on the agent: a service runs until killed there."""
        payload = json.loads((task.get("executorConfig") or {}).get("data") or "{}")
        processes = (payload.get("task") or {}).get("processes") or []
        script = "set -e\n" + "\n".join(p["cmdline"] for p in processes)
        url = "http://" + agent["pid"].split("@", 1)[1] + "/standin/tasks"
        body = {"id": task_id, "name": task_id, "cmd": ["sh", "-c", script],
                "user": {"name": role, "home": f"/home/{role}" if role != "root" else "/root"}}
        self._record(key, task_id, state="RUNNING")
        try:
            req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=4 * 3600) as resp:
                result = json.loads(resp.read())
            self._record(key, task_id, state="FINISHED" if result.get("exit_code") == 0 else "FAILED",
                         exit_code=result.get("exit_code"), stdout=result.get("stdout", "")[-4000:],
                         stderr=result.get("stderr", "")[-4000:], hostname=result.get("hostname"))
        except Exception as exc:
            log.warning("task %s on %s: %r", task_id, url, exc)
            self._record(key, task_id, state="LOST", reason=repr(exc))

    def _record(self, key, task_id, **fields):
        with self.lock:
            job = self.jobs.get(key)
            placement = (job or {}).get("placements", {}).get(task_id)
            if placement is not None:
                placement.update(fields)
                self._save_jobs()

    def kill_job(self, body):
        key = (body or {}).get("key", "")
        with self.lock:
            job = self.jobs.get(key)
            if job is None or job["status"] != "RUNNING":
                return 200, {"response": "OK", "message": f"no active job {key} to kill"}
            job.update(status="KILLED", killed=time.time())
            self._save_jobs()
        log.info("job %s killed", key)
        return 200, {"response": "OK", "key": key, "killed": job["task_ids"]}

    def routes(self):
        return {
            ("GET", "/health"): lambda b: (200, "OK") if self.ready else (503, "waiting for ZooKeeper and the Mesos master\n"),
            ("GET", "/"): lambda b: (200, f"Aurora scheduler STAND-IN for cluster {self.cluster} (not Aurora); see /standin/jobs\n"),
            ("GET", "/vars"): lambda b: (200, "".join(f"{k} {v}\n" for k, v in {
                "cluster_name": self.cluster, "standin": 1, "custom_executors": len(self.executors),
                "jobs_active": sum(1 for j in self.jobs.values() if j["status"] == "RUNNING"),
                "framework_registered": 0}.items())),
            ("GET", "/standin/flags"): lambda b: (200, {"argv": self.argv, "flags": self.flags}),
            ("GET", "/standin/executor-config"): lambda b: (200, self.config_bytes),
            ("GET", "/standin/executors"): lambda b: (200, self.executors),
            ("GET", "/standin/state"): lambda b: (200, self.state),
            ("GET", "/standin/jobs"): lambda b: (200, sorted(self.jobs.values(), key=lambda j: j["key"])),
            ("POST", "/standin/jobs"): self.create_job,
            ("POST", "/standin/jobs/kill"): self.kill_job,
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes = {}

    def log_message(self, fmt, *args):
        if not self.path.startswith("/health"):
            log.info("%s %s", self.address_string(), fmt % args)

    def _dispatch(self, method):
        route = self.routes.get((method, self.path.split("?", 1)[0]))
        body = None
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
        if route is None:
            return self._send(404, {"error": f"no route {method} {self.path}"})
        try:
            self._send(*route(body))
        except Exception as exc:
            log.exception("%s %s failed", method, self.path)
            self._send(500, {"error": str(exc)})

    def _send(self, status, obj):
        if isinstance(obj, bytes):
            payload, kind = obj, "application/json"
        elif isinstance(obj, str):
            payload, kind = obj.encode(), "text/plain"
        else:
            payload, kind = json.dumps(obj, indent=1).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")


def main(argv):
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kazoo.client").setLevel(logging.WARNING)
    try:
        scheduler = Scheduler(argv)
    except (ConfigError, OSError) as exc:
        # Aurora refuses to start on a bad flag or executor config; so does the stand-in.
        print(f"aurora-scheduler (stand-in): {exc}", file=sys.stderr)
        return 1
    log.info("cluster %s, %d custom executor(s): %s; mesos fetcher %s", scheduler.cluster, len(scheduler.executors),
             ", ".join(f"{e['name']} ({e['task_prefix']})" for e in scheduler.executors),
             "enabled" if scheduler.fetcher else "disabled")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(SystemExit(0)))
    threading.Thread(target=scheduler.zk_loop, args=(stop,), daemon=True).start()
    routes = {k: v for k, v in scheduler.routes().items()}
    server = ThreadingHTTPServer(("0.0.0.0", scheduler.port), type("H", (Handler,), {"routes": routes}))
    server.daemon_threads = True
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
