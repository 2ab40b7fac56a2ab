"""Starts a real ddsd for end-to-end tests (pymongo 3.11 / raw sockets, run with /usr/bin/python3).

A free loopback port (bind port 0 first; retry on a new port if ddsd exits at once), a fresh temp data
directory, a wait until it answers {ping: 1} over raw OP_MSG (20 s), and a kill by PID at the end
(finalizers and atexit). The binary is $DDSD, else <repo>/build/bin/ddsd.
"""
import atexit
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DDSD = os.environ.get("DDSD") or os.path.join(ROOT, "build", "bin", "ddsd")

_live = set()


@atexit.register
def _kill_all():
    for proc in list(_live):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def raise_nofile_limit(want=8192):
    """Raises the soft open-files limit (inherited by ddsd) so 1000+ connections fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def op_msg(doc_bytes, request_id=1, flags=0):
    body = struct.pack("<I", flags) + b"\x00" + doc_bytes
    return struct.pack("<iiii", 16 + len(body), request_id, 0, 2013) + body


def recv_message(sock):
    """Reads one whole wire message; returns bytes, or b"" if the peer closed first."""
    data = b""
    while len(data) < 4 or len(data) < struct.unpack("<i", data[:4])[0]:
        chunk = sock.recv(1 << 20)
        if not chunk:
            return b""
        data += chunk
    return data


PING = (b"\x10ping\x00" + struct.pack("<i", 1) + b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00")
PING_DOC = struct.pack("<i", len(PING) + 5) + PING + b"\x00"


def ping_once(port, timeout=2.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(op_msg(PING_DOC))
            reply = recv_message(s)
    except OSError:
        return False
    return (b"\x01ok\x00" + struct.pack("<d", 1.0)) in reply or (b"\x10ok\x00" + struct.pack("<i", 1)) in reply


# The only user of the conftest `authd` server (role root on admin).
AUTH_ROOT_USER = "root"
AUTH_ROOT_PWD = "root-password"


def connect(d, user=None, pwd=None, source="admin"):
    """A pymongo client of the ddsd `d` (a context manager that closes it), authenticated as
    `user` against `source` when a user is given."""
    import pymongo
    kwargs = {"serverSelectionTimeoutMS": 5000}
    if user is not None:
        kwargs.update(username=user, password=pwd, authSource=source)
    return pymongo.MongoClient(d.uri, **kwargs)


class Ddsd:
    def __init__(self, extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="dds-e2e-py-")
        self.dbpath = os.path.join(self.tmp, "db")
        self.log_path = os.path.join(self.tmp, "ddsd.log")
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = 0

    @property
    def uri(self):
        return "mongodb://127.0.0.1:%d/" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def _launch(self, port):
        if not os.access(DDSD, os.X_OK):
            raise RuntimeError("ddsd binary not found at %s (build it first)" % DDSD)
        raise_nofile_limit()
        log = open(self.log_path, "ab")
        args = [DDSD, "--port", str(port), "--bind_ip", "127.0.0.1", "--dbpath", self.dbpath] + self.extra_args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _live.add(self.proc)
        self.port = port
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                _live.discard(self.proc)
                return False
            if ping_once(port):
                return True
            time.sleep(0.05)
        self.kill9()
        raise RuntimeError("ddsd did not answer ping on port %d within 20 s\n%s" % (port, self.log_tail()))

    def start(self, port=None):
        for _ in range(5):
            if self._launch(port or free_port()):
                return self
            if port:
                break
        raise RuntimeError("ddsd exited during start (code %s)\n%s" % (self.proc.returncode, self.log_tail()))

    def restart(self):
        """Starts again on the same dbpath and port (after stop() or kill9())."""
        return self.start(self.port)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is not None:
                _live.discard(self.proc)

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _live.discard(self.proc)
        return self.proc.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            _live.discard(self.proc)

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
