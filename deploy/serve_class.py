"""Serve a class: REPLICAS copies of the app behind nginx, each browser kept on one copy.

    python deploy/serve_class.py --replicas 4 --port 8080      # or: make serve-class REPLICAS=4

Starts ``streamlit run server.py`` on ports PORT+1 ... PORT+REPLICAS (localhost only), renders
``deploy/nginx.conf.template`` into a private folder and runs Debian's nginx in front on PORT. Ctrl-C stops
everything. How many students one replica holds: docs/DEPLOY.md.

Class mode's store (:mod:`core.classroom`): unless ``DIFFUSION_PLAYGROUND_CLASSES`` names one, Debian's
``redis-server`` is started on the loopback (its append-only file in the logs folder, so a restart loses no class and no
answer) and every replica uses it; without redis-server, the replicas share the SQLite file (one machine only).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
CLASSES = "DIFFUSION_PLAYGROUND_CLASSES"  # core.classroom.backends.ENV (this script imports nothing of the app)


def worker_user() -> str:
    """nginx's ``user`` line: ``nobody`` under the real root; none for another user (nginx then keeps it);
    ``root`` in a user namespace that maps root alone (CI's offline run), where no other user exists."""
    if os.geteuid() != 0:
        return ""
    try:
        whole = Path("/proc/self/uid_map").read_text().split()[:3] == ["0", "0", "4294967295"]
    except OSError:
        whole = True
    if not whole:
        return "user root;"
    try:
        import grp
        import pwd

        return f"user nobody {grp.getgrgid(pwd.getpwnam('nobody').pw_gid).gr_name};"  # Debian: nogroup
    except (ImportError, KeyError):
        return ""


def render(listen: int, backends: list[int], prefix: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in backends)
    text = TEMPLATE.read_text()
    for key, value in (("LISTEN", str(listen)), ("SERVERS", servers), ("PREFIX", str(prefix)), ("USER", worker_user())):
        text = text.replace("{{" + key + "}}", value)
    return text


def _wait(url: str, proc: subprocess.Popen, what: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{what} did not start (see its log)") from None
            time.sleep(0.3)


def _wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{what} did not start (see its log)") from None
            time.sleep(0.1)


def _ports(wanted: list[int]) -> list[int]:
    """The replicas' ports: the ones after nginx's where free, else one the system hands out (a busy port made a
    replica exit at once: "Port ... is not available")."""
    out = []
    for p in wanted:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                s.bind(("127.0.0.1", 0))
            out.append(s.getsockname()[1])
    return out


@contextlib.contextmanager
def serve(replicas: int, port: int, logs: Path) -> Iterator[str]:
    """Start the replicas and nginx; yield nginx's URL; stop everything on exit."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    env = {**os.environ, "DIFFUSION_PLAYGROUND_THREADS": "1"}
    try:
        if CLASSES not in env and shutil.which("redis-server"):
            redis_port = _ports([port + 100])[0]
            (logs / "redis").mkdir(exist_ok=True)
            procs.append(subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(logs / "redis"),
                 "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
                stdout=open(logs / "redis.log", "w"), stderr=subprocess.STDOUT))
            _wait_port(redis_port, procs[-1], "redis-server")
            env[CLASSES] = f"redis://127.0.0.1:{redis_port}/0"
            (logs / "classes.url").write_text(env[CLASSES])  # for a benchmark that counts the answers in the store
        backends = _ports([port + 1 + i for i in range(replicas)])
        for p in backends:
            log = open(logs / f"replica-{p}.log", "w")
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(p),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env))
        for p, proc in zip(backends, procs):
            _wait(f"http://127.0.0.1:{p}/_stcore/health", proc, f"replica on port {p}")
        prefix = Path(tempfile.mkdtemp(prefix="playground-nginx-"))
        (prefix / "nginx.conf").write_text(render(port, backends, prefix))
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                                stdout=open(logs / "nginx.log", "w"), stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        _wait(url + "/_stcore/health", proc, "nginx")
        yield url
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--logs", type=Path, default=ROOT / "runs" / "serve-class")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        parser.error("--replicas must be between 1 and 64")
    try:
        with serve(args.replicas, args.port, args.logs) as url:
            print(f"serving {args.replicas} replicas at {url} (logs in {args.logs}); Ctrl-C to stop", flush=True)
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
