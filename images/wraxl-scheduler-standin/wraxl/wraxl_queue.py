"""The RQ job function of wraxl, as jobs name it: `queue.enqueue('wraxl_queue.exec_cmd', job,
timeout=10800)` with job = {'name', 'docker_image', 'cmd': [...], optional 'environment',
'location', 'volumes'}.

STAND-IN: the real wraxl launches the job as a Mesos task in `docker_image`. Here the command
is POSTed to a mesos stand-in agent that offers the queue's resource (and the job's `location`
attribute), which runs it as the build user in its sandbox, without the image. The agent's
result ({id, exit_code, stdout, ...}) is the job's result; a non-zero exit fails the job, with
the result kept in job.meta['result'].
"""

import json
import logging
import os
import threading
import time
import urllib.request
import uuid

from wraxl_master import CachedState, MasterFinder, active_agents, agent_url

log = logging.getLogger("wraxl.queue")

DEFAULT_TIMEOUT = 10800


class TaskFailed(Exception):
    """The command ran and exited non-zero (or could not be placed)."""


class Context:
    """What a job needs from the scheduler: the master's state, the queue prefix, the build
    user, and which agent slots are in use by jobs of this process."""

    def __init__(self, master, queue_prefix="wraxl", build_user=None, pull_images=False):
        self.state = CachedState(MasterFinder(master))
        self.queue_prefix = queue_prefix
        self.build_user = build_user or {"name": "wrlbuild", "uid": 1000, "home": "/home/wrlbuild"}
        self.pull_images = pull_images
        self._used = {}  # (agent id, resource) -> jobs running there
        self._cond = threading.Condition()

    def resource_of(self, queue_name):
        prefix = self.queue_prefix + "_"
        if not queue_name or not queue_name.startswith(prefix):
            raise TaskFailed(f"queue {queue_name!r} is not one of this scheduler's ({prefix}<resource>)")
        return queue_name[len(prefix):]

    def used(self, resource):
        with self._cond:
            return sum(n for (_, r), n in self._used.items() if r == resource)

    def acquire(self, resource, location, deadline):
        """An active agent with a free unit of `resource` (and the location attribute, if
        asked); waits while every matching agent is busy, fails when none matches at all."""
        while True:
            _, state = self.state.get()
            agents = [a for a in active_agents(state) if _amount(a, resource) > 0]
            if location:
                agents = [a for a in agents if str(a.get("attributes", {}).get("location")) == str(location)]
            if not agents:
                where = f" with location={location}" if location else ""
                raise TaskFailed(f"no active agent offers {resource}{where}")
            with self._cond:
                free = [a for a in agents if self._used.get((a["id"], resource), 0) < _amount(a, resource)]
                if free:
                    agent = min(free, key=lambda a: (self._used.get((a["id"], resource), 0) / _amount(a, resource), a["id"]))
                    key = (agent["id"], resource)
                    self._used[key] = self._used.get(key, 0) + 1
                    return agent
                if time.monotonic() >= deadline:
                    raise TaskFailed(f"every agent offering {resource} stayed busy")
                self._cond.wait(1.0)

    def release(self, agent, resource):
        with self._cond:
            key = (agent["id"], resource)
            self._used[key] = max(0, self._used.get(key, 0) - 1)
            self._cond.notify_all()


def _amount(agent, resource):
    value = agent.get("resources", {}).get(resource, 0)
    return value if isinstance(value, (int, float)) else 0


_context = None
_context_lock = threading.Lock()


def set_context(ctx):
    global _context
    _context = ctx


def get_context():
    """The scheduler's context, or one from the environment when a plain `rq worker` runs the
    job (WRAXL_MASTER, WRAXL_QUEUE_PREFIX)."""
    global _context
    with _context_lock:
        if _context is None:
            _context = Context(os.environ.get("WRAXL_MASTER", "zk://zookeeper:2181/mesos"),
                               os.environ.get("WRAXL_QUEUE_PREFIX", "wraxl"))
        return _context


def environment_of(job):
    """'environment' as the seed writes it (['ENV1', 'foo', ...] pairs), or ['K=V'], or a dict."""
    env = job.get("environment") or {}
    if isinstance(env, dict):
        return {str(k): str(v) for k, v in env.items()}
    items = [str(e) for e in env]
    if items and all("=" in e for e in items):
        return dict(e.split("=", 1) for e in items)
    if len(items) % 2:
        raise TaskFailed(f"environment {items!r} is not a list of name, value pairs")
    return dict(zip(items[0::2], items[1::2]))


def exec_cmd(job, timeout=None, **ignored):
    """Run job['cmd'] on an agent offering this queue's resource; return the agent's result.

    `timeout` is how the seed's RQ (0.x) took the job timeout in enqueue(); current RQ passes it
    through to the function, so it is honoured here as the task's time limit."""
    from rq import get_current_job

    rq_job = get_current_job()
    ctx = get_context()
    if not isinstance(job, dict) or not isinstance(job.get("cmd"), list) or not job["cmd"]:
        raise TaskFailed("job must be a dict with 'cmd' a non-empty list")
    resource = ctx.resource_of(rq_job.origin if rq_job else os.environ.get("WRAXL_QUEUE", ""))
    if not timeout:
        timeout = rq_job.timeout if rq_job is not None and rq_job.timeout and rq_job.timeout > 0 else DEFAULT_TIMEOUT
    deadline = time.monotonic() + float(timeout)
    if job.get("volumes"):
        log.warning("job %s: volumes %s ignored (the stand-in agent runs no container)", job.get("name"), job["volumes"])

    agent = ctx.acquire(resource, job.get("location"), deadline)
    task_id = rq_job.id if rq_job is not None else str(uuid.uuid4())
    url = agent_url(agent)
    log.info("job %s (%s): %s on agent %s (%s)", task_id, job.get("name"), job["cmd"], agent["hostname"], url)
    try:
        body = {
            "id": task_id,
            "name": job.get("name", task_id),
            "cmd": [str(c) for c in job["cmd"]],
            "env": environment_of(job),
            "timeout": max(1.0, deadline - time.monotonic()),
            "user": ctx.build_user,
            "docker_image": job.get("docker_image"),
            "pull_image": ctx.pull_images,
        }
        req = urllib.request.Request(url + "/standin/tasks", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=float(timeout) + 60) as resp:
            result = json.loads(resp.read())
    finally:
        ctx.release(agent, resource)

    if rq_job is not None:
        rq_job.meta.update(agent=agent["hostname"], agent_id=agent["id"], exit_code=result.get("exit_code"),
                           result=result)
        rq_job.save_meta()
    log.info("job %s (%s): exit %s", task_id, job.get("name"), result.get("exit_code"))
    if result.get("exit_code") != 0:
        tail = (result.get("stderr") or result.get("stdout") or "")[-2000:]
        raise TaskFailed(f"{job['cmd'][0]} exited {result.get('exit_code')} on {agent['hostname']}: {tail}")
    return result
