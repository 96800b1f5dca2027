"""Finding the leading Mesos master and reading its state, as the wraxl scheduler needs it.

`--master` is what the real scheduler takes: `zk://host:2181[,host2:2181]/mesos` (the leader is
the `json.info_` znode with the lowest sequence, as Mesos writes it) or a plain `host:port`.
"""

import json
import logging
import re
import threading
import time
import urllib.request

log = logging.getLogger("wraxl.master")


def parse_zk_url(url):
    m = re.match(r"^zk://(?:[^@/]*@)?([^/]+)(/.*)?$", url or "")
    if not m:
        return None
    return m.group(1), (m.group(2) or "/mesos").rstrip("/") or "/mesos"


class MasterFinder:
    def __init__(self, spec):
        self.spec = spec
        self.zk_spec = parse_zk_url(spec)
        self.static_url = None
        self._zk = None
        self._zk_lock = threading.Lock()
        if self.zk_spec is None:
            if spec.startswith("http://") or spec.startswith("https://"):
                self.static_url = spec.rstrip("/")
            elif re.match(r"^[^/:]+(:\d+)?$", spec):
                self.static_url = "http://" + (spec if ":" in spec else spec + ":5050")
            else:
                raise ValueError(f"--master {spec!r} is neither zk://host:port/path nor host:port")

    def _client(self):
        from kazoo.client import KazooClient
        from kazoo.retry import KazooRetry

        with self._zk_lock:
            if self._zk is None:
                self._zk = KazooClient(hosts=self.zk_spec[0], timeout=10.0,
                                       connection_retry=KazooRetry(max_tries=-1, max_delay=5),
                                       command_retry=KazooRetry(max_tries=3, max_delay=2))
            if not self._zk.connected:
                try:
                    self._zk.start(timeout=5)
                except Exception:
                    self._zk.stop()
                    raise
            return self._zk

    def leader_url(self):
        """URL of the leading master, or None when ZooKeeper names none yet."""
        if self.static_url:
            return self.static_url
        zk = self._client()
        path = self.zk_spec[1]
        if not zk.exists(path):
            return None
        children = [c for c in zk.get_children(path) if c.startswith("json.info_")]
        if not children:
            return None
        leader = min(children, key=lambda c: int(c.rsplit("_", 1)[1]))
        info = json.loads(zk.get(f"{path}/{leader}")[0])
        address = info.get("address") or {}
        host = address.get("ip") or address.get("hostname") or info.get("hostname")
        return f"http://{host}:{address.get('port') or info.get('port') or 5050}"

    def state(self):
        """(leader URL, /master/state JSON) — raises when no master answers."""
        url = self.leader_url()
        if url is None:
            raise LookupError(f"no leading master registered under {self.spec}")
        with urllib.request.urlopen(url + "/master/state", timeout=5) as resp:
            return url, json.loads(resp.read())

    def close(self):
        if self._zk is not None:
            try:
                self._zk.stop()
                self._zk.close()
            except Exception:
                pass


def active_agents(state):
    return [s for s in (state or {}).get("slaves", []) if s.get("active")]


def agent_url(agent):
    """http://ip:port of an agent from its pid `slave(1)@ip:port` (hostname as a fallback)."""
    pid = agent.get("pid") or ""
    if "@" in pid:
        return "http://" + pid.split("@", 1)[1]
    return f"http://{agent['hostname']}:{agent.get('port', 5051)}"


class CachedState:
    """The master's state, refreshed at most every `max_age` seconds; shared by the scheduler
    loop and the job threads."""

    def __init__(self, finder, max_age=2.0):
        self.finder = finder
        self.max_age = max_age
        self._lock = threading.Lock()
        self._at = 0.0
        self._value = None

    def put(self, url, state):
        with self._lock:
            self._value, self._at = (url, state), time.monotonic()

    def get(self):
        with self._lock:
            if self._value is not None and time.monotonic() - self._at <= self.max_age:
                return self._value
        url, state = self.finder.state()
        self.put(url, state)
        return url, state
