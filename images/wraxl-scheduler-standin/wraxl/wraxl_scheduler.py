"""STAND-IN for the wraxl "random coverage" scheduler (the real one is not public).

    wraxl_scheduler --master zk://zookeeper:2181/mesos --redis redis[:6379] --config /etc/wraxl/scheduler.yaml

Behaves as the local wraxl setup describes it: it watches the RQ queues `<queue_prefix>_<r>`
for each r in `resources`, and starts jobs only from the queues whose resource is in `runs_on`
(default low and world) and offered (> 0) by some active agent of the leading master. So an
agent offering only `high` runs nothing, as in the original setup. A job is run by RQ's own
worker code (a SimpleWorker per job slot, in a thread), so job status and results in Redis are
RQ-native; the job function is wraxl_queue.exec_cmd.

Config (YAML; every key optional):
    queue_prefix: wraxl
    resources: [high, low, world]
    runs_on: [low, world]
    pull_images: false
    build_user: {name: wrlbuild, uid: 1000, home: /home/wrlbuild}
    poll_interval_seconds: 2

Ready (see the healthcheck) when Redis answers and a leading master was read: the heartbeat
file is rewritten on every such loop.
"""

import argparse
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid

import yaml
from redis import Redis
from rq import Queue, SimpleWorker
from rq.timeouts import TimerDeathPenalty

import wraxl_queue
from wraxl_master import active_agents

log = logging.getLogger("wraxl.scheduler")

HEARTBEAT_FILE = os.environ.get("WRAXL_HEARTBEAT_FILE", "/tmp/wraxl-scheduler.heartbeat")

DEFAULTS = {
    "queue_prefix": "wraxl",
    "resources": ["high", "low", "world"],
    "runs_on": ["low", "world"],
    "pull_images": False,
    "build_user": {"name": "wrlbuild", "uid": 1000, "home": "/home/wrlbuild"},
    "poll_interval_seconds": 2,
}


class ConfigError(Exception):
    pass


def load_config(path):
    with open(path) as f:
        raw = yaml.safe_load(f) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        log.warning("%s: unknown keys ignored: %s", path, ", ".join(unknown))
    cfg = {**DEFAULTS, **{k: v for k, v in raw.items() if k in DEFAULTS}}
    cfg["build_user"] = {**DEFAULTS["build_user"], **(raw.get("build_user") or {})}
    errors = []
    if not isinstance(cfg["queue_prefix"], str) or not re.match(r"^[A-Za-z0-9_.:-]+$", cfg["queue_prefix"]):
        errors.append(f"queue_prefix: expected a name, got {cfg['queue_prefix']!r}")
    for key in ("resources", "runs_on"):
        if not isinstance(cfg[key], list) or not all(isinstance(r, str) and r for r in cfg[key]):
            errors.append(f"{key}: expected a list of resource names, got {cfg[key]!r}")
    if not isinstance(cfg["pull_images"], bool):
        errors.append(f"pull_images: expected true or false, got {cfg['pull_images']!r}")
    bu = cfg["build_user"]
    if not isinstance(bu.get("name"), str) or not isinstance(bu.get("uid"), int) or not isinstance(bu.get("home"), str):
        errors.append(f"build_user: expected {{name: str, uid: int, home: str}}, got {bu!r}")
    p = cfg["poll_interval_seconds"]
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p <= 0:
        errors.append(f"poll_interval_seconds: expected a number > 0, got {p!r}")
    if errors:
        raise ConfigError(f"{path}: " + "; ".join(errors))
    return cfg


def redis_from(spec):
    if spec.startswith("redis://") or spec.startswith("rediss://") or spec.startswith("unix://"):
        return Redis.from_url(spec)
    host, _, port = spec.partition(":")
    return Redis(host=host, port=int(port or 6379))


class ThreadDeathPenalty(TimerDeathPenalty):
    """RQ's timer-based job timeout, minus its one flaw here: a timeout of -1 (never) would
    start a timer that fires at once."""

    def setup_death_penalty(self):
        self._timer = None
        if self._timeout is not None and self._timeout > 0:
            super().setup_death_penalty()

    def cancel_death_penalty(self):
        if self._timer is not None:
            super().cancel_death_penalty()


class JobThreadWorker(SimpleWorker):
    """RQ's SimpleWorker, run in a thread for one job: no signal handlers (only the main thread
    may set them), and a timer instead of SIGALRM for the job timeout."""

    death_penalty_class = ThreadDeathPenalty

    def _install_signal_handlers(self):
        pass

    def execute_job(self, job, queue):
        # The seed enqueues with timeout=10800, which RQ >= 1.0 passes to the function instead
        # of using it as the job timeout (default 180 s); take the larger, so a long build is
        # neither killed nor reaped from the started registry while it runs.
        wanted = (job.kwargs or {}).get("timeout")
        if isinstance(wanted, (int, float)) and wanted > 0 and job.timeout != -1 and (job.timeout or 0) < wanted:
            job.timeout = int(wanted)
            job.save()
        return super().execute_job(job, queue)


class Scheduler:
    def __init__(self, cfg, master, redis):
        self.cfg = cfg
        self.redis = redis
        self.ctx = wraxl_queue.Context(master, cfg["queue_prefix"], cfg["build_user"], cfg["pull_images"])
        wraxl_queue.set_context(self.ctx)
        self.queues = {r: Queue(f"{cfg['queue_prefix']}_{r}", connection=redis) for r in cfg["resources"]}
        self.runs_on = [r for r in cfg["runs_on"] if r in self.queues]
        for r in cfg["runs_on"]:
            if r not in self.queues:
                log.warning("runs_on %s is not in resources %s: ignored", r, cfg["resources"])
        self.inflight = {r: 0 for r in self.queues}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.host = socket.gethostname()
        self._last_status = None

    def _run_one(self, resource):
        name = f"wraxl-{self.host}-{resource}-{uuid.uuid4().hex[:8]}"
        try:
            worker = JobThreadWorker([self.queues[resource]], connection=self.redis, name=name)
            worker.work(burst=True, max_jobs=1, logging_level="INFO")
        except Exception:
            log.exception("worker %s failed", name)
        finally:
            with self.lock:
                self.inflight[resource] -= 1

    def _status(self, text):
        if text != self._last_status:
            log.info("%s", text)
            self._last_status = text

    def loop_once(self):
        self.redis.ping()
        url, state = self.ctx.state.finder.state()
        self.ctx.state.put(url, state)
        agents = active_agents(state)
        started, waiting = [], []
        for r in self.cfg["resources"]:
            queued = len(self.queues[r])
            if r not in self.runs_on:
                if queued:
                    waiting.append(f"{self.queues[r].name}={queued} (not in runs_on)")
                continue
            capacity = int(sum(wraxl_queue._amount(a, r) for a in agents))
            with self.lock:
                free = capacity - self.inflight[r]
                n = max(0, min(free, queued))
                self.inflight[r] += n
            for _ in range(n):
                threading.Thread(target=self._run_one, args=(r,), daemon=True, name=f"job-{r}").start()
            if n:
                started.append(f"{n} from {self.queues[r].name}")
            if queued > n:
                why = "no active agent offers it" if capacity == 0 else "all slots busy"
                waiting.append(f"{self.queues[r].name}={queued - n} ({why})")
        with open(HEARTBEAT_FILE + ".tmp", "w") as f:
            json.dump({"time": time.time(), "master": url, "active_agents": len(agents),
                       "inflight": self.inflight}, f)
        os.replace(HEARTBEAT_FILE + ".tmp", HEARTBEAT_FILE)
        self._status(f"master {url}: {len(agents)} active agent(s) offering "
                     f"{sorted({r for a in agents for r in self.queues if wraxl_queue._amount(a, r) > 0})}; "
                     f"waiting: {', '.join(waiting) or 'none'}")
        if started:
            log.info("starting %s", ", ".join(started))

    def run(self):
        log.info("watching %s; running jobs from %s", [q.name for q in self.queues.values()],
                 [self.queues[r].name for r in self.runs_on])
        while not self.stop.is_set():
            try:
                self.loop_once()
            except Exception as exc:
                self._status(f"not ready: {type(exc).__name__}: {exc}")
            self.stop.wait(float(self.cfg["poll_interval_seconds"]))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="wraxl_scheduler", description=__doc__.split("\n")[0])
    parser.add_argument("--master", required=True, help="zk://host:2181/mesos or host:5050")
    parser.add_argument("--redis", required=True, help="host[:port] or redis://host:port/db")
    parser.add_argument("--config", required=True, help="scheduler YAML")
    parser.add_argument("--log-level", default=os.environ.get("WRAXL_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kazoo.client").setLevel(logging.WARNING)
    try:
        cfg = load_config(args.config)
    except (OSError, yaml.YAMLError, ConfigError) as exc:
        log.error("%s", exc)
        return 2
    log.info("config %s: %s", args.config, json.dumps(cfg))
    scheduler = Scheduler(cfg, args.master, redis_from(args.redis))

    def on_term(signum, frame):
        scheduler.stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    scheduler.run()
    scheduler.ctx.state.finder.close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
