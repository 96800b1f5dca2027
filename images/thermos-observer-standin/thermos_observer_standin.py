#!/usr/bin/python3
"""A STAND-IN for Aurora's thermos observer (see README.md). It takes the observer's flags
(--ip, --port, --root, --mesos-root, --log_to_disk, --log_to_stderr; an unknown one stops it,
as the real observer's option parser does) and serves its port with /health, a page naming
itself a stand-in, and GET /standin/flags. It is NOT the observer: it reads no thermos
checkpoints and shows no tasks.
"""
import json
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN = {"ip": "0.0.0.0", "port": "1338", "root": "/var/run/thermos", "mesos-root": "/var/lib/mesos",
         "log_to_disk": "NONE", "log_to_stderr": "google:INFO", "enable_mesos_disk_collector": "false"}


def parse(argv):
    flags = dict(KNOWN)
    for arg in argv:
        m = re.match(r"^--([a-z][a-z0-9_-]*)(?:=(.*))?$", arg)
        if not m or m.group(1) not in KNOWN:
            sys.exit(f"thermos_observer (stand-in): no such option {arg!r}")
        flags[m.group(1)] = "true" if m.group(2) is None else m.group(2)
    return flags


def main(argv):
    flags = parse(argv)
    pages = {
        "/health": (200, "text/plain", b"OK"),
        "/": (200, "text/html", b"<html><body><h1>Thermos observer STAND-IN</h1><p>Not Aurora's observer: no tasks are shown.</p></body></html>"),
        "/standin/flags": (200, "application/json", json.dumps({"argv": argv, "flags": flags}).encode()),
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            status, kind, body = pages.get(self.path.split("?", 1)[0], (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    server = ThreadingHTTPServer((flags["ip"], int(flags["port"])), Handler)
    print(f"thermos observer stand-in on {flags['ip']}:{flags['port']} (mesos root {flags['mesos-root']})", flush=True)
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main(sys.argv[1:])
