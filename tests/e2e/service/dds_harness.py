"""Harness for the dds-service end-to-end tests: starts real dds-service processes (real ddsd
nodes) on free ports with temporary data dirs, and talks to them over HTTP with http.client.

Standard library only (plus pymongo in the tests); run with /usr/bin/python3.
"""
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD_DIR = os.environ.get("DDS_BUILD_DIR", os.path.join(REPO, "build"))
SERVICE_BIN = os.environ.get("DDS_SERVICE_BIN", os.path.join(BUILD_DIR, "bin", "dds-service"))
DDSD_BIN = os.environ.get("DDS_DDSD_BIN", os.path.join(BUILD_DIR, "bin", "ddsd"))
ADMIN_PASSWORD = "Admin-Pass-e2e-1"
DB_PASSWORD = "Secret-Pass1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_range(width):
    """A range of `width` ports that are all bindable now (best effort)."""
    for _ in range(200):
        base = random.randint(21000, 39000)
        ok = True
        for p in range(base, base + width):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base, base + width - 1
    raise RuntimeError("no free port range")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def error_code(self):
        return (self.json or {}).get("error_code")

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.raw[:300])


class Service:
    """One dds-service process."""

    def __init__(self, data_dir=None, config=None, ddsd=None, instance_ports=8, env=None,
                 ports=None):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="dds-svc-e2e-")
        self.port = free_port()
        low, high = ports or free_port_range(instance_ports)
        cfg = {
            "first_port": 0,
            "instances": {"auth": True, "start_timeout_ms": 20000},
            "supervisor": {"interval_ms": 300},
            "quotas": {"Single": 50, "ReplicaSet": 5, "Sharding": 5},
        }
        for k, v in (config or {}).items():
            if isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k].update(v)
            else:
                cfg[k] = v
        self.config = cfg
        self.config_path = os.path.join(self.data_dir, "e2e-config.json")
        self.instance_ports = (low, high)
        self.ddsd = ddsd or DDSD_BIN
        self.env = dict(os.environ)
        self.env["DDS_ADMIN_PASSWORD"] = ADMIN_PASSWORD
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "service.log")
        self._token = None
        self.project_id = None

    def start(self):
        with open(self.config_path, "w") as f:
            json.dump(self.config, f)
        args = [SERVICE_BIN, "--config", self.config_path, "--listen", "127.0.0.1:%d" % self.port,
                "--data-dir", self.data_dir, "--ddsd", self.ddsd,
                "--instance-ports", "%d-%d" % self.instance_ports]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=self.env)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dds-service exited: " + self.read_log()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("dds-service did not listen")
        self._token = None
        return self

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def kill_nodes(self):
        """Stops every ddsd whose dbpath is inside this service's data dir."""
        for pid in node_pids(self.data_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def cleanup(self):
        self.stop()
        self.kill_nodes()
        time.sleep(0.2)
        if self.own_dir and os.environ.get("DDS_E2E_KEEP") != "1":
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- HTTP ------------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, token=True, raw_body=None,
                conn=None):
        hdrs = {}
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if token is True:
            hdrs["X-Auth-Token"] = self.token()
        elif token:
            hdrs["X-Auth-Token"] = token
        hdrs.update(headers or {})
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        finally:
            if own:
                conn.close()

    def issue_token(self, user="admin", password=ADMIN_PASSWORD, domain="admin", project="default"):
        body = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": {"name": project}}}}
        return self.request("POST", "/v3/auth/tokens", body, token=False)

    def token(self):
        if self._token is None:
            r = self.issue_token()
            if r.status != 201:
                raise RuntimeError("token: %r" % r)
            self._token = r.header("X-Subject-Token")
            self.project_id = r.json["token"]["project"]["id"]
        return self._token

    def p(self, suffix, version="v3"):
        self.token()
        return "/%s/%s%s" % (version, self.project_id, suffix)

    # -- instances ---------------------------------------------------------------------------
    def create_body(self, name, **over):
        body = {
            "name": name,
            "datastore": {"type": "DDS-Community", "version": "4.0", "storage_engine": "rocksDB"},
            "region": "local", "availability_zone": "local",
            "vpc_id": "vpc-local", "subnet_id": "subnet-local", "security_group_id": "sg-local",
            "password": DB_PASSWORD, "mode": "Single",
            "flavor": [{"type": "single", "num": 1, "storage": "ULTRAHIGH", "size": 10,
                        "spec_code": "dds.mongodb.s6.large.4.single"}],
        }
        body.update(over)
        return body

    def create_instance(self, name, **over):
        r = self.request("POST", self.p("/instances"), self.create_body(name, **over))
        if r.status != 202:
            raise AssertionError("create failed: %r" % r)
        return r.json

    def job(self, job_id):
        return self.request("GET", self.p("/jobs?id=" + job_id))

    def wait_job(self, job_id, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.job(job_id)
            if r.status == 200 and r.json["job"]["status"] != "Running":
                return r.json["job"]
            time.sleep(0.1)
        raise AssertionError("job %s still running" % job_id)

    def instance(self, instance_id):
        r = self.request("GET", self.p("/instances?id=" + instance_id))
        assert r.status == 200, r
        return r.json["instances"][0] if r.json["instances"] else None

    def wait_status(self, instance_id, status, timeout=30):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = self.instance(instance_id)
            if last and last["status"] == status and not last["actions"]:
                return last
            time.sleep(0.1)
        raise AssertionError("instance %s not %s: %r" % (instance_id, status, last))


def node_pids(data_dir=None, port=None):
    """Pids of running ddsd processes, filtered by data dir prefix or port."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                args = f.read().split(b"\0")
            with open("/proc/%s/stat" % entry) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        if not args or not args[0].endswith(b"ddsd"):
            continue
        if data_dir and not any(a.startswith(data_dir.encode()) for a in args):
            continue
        if port and str(port).encode() not in args:
            continue
        pids.append(int(entry))
    return pids


def sign_aksk(method, host, path, query, headers, body, ak, sk, sdk_date=None):
    """SDK-HMAC-SHA256 as the official SDK signs (dds-api.md §2.2)."""
    sdk_date = sdk_date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    hdrs = {k.lower(): v for k, v in headers.items()}
    hdrs["host"] = host
    hdrs["x-sdk-date"] = sdk_date
    signed = sorted(hdrs)
    quote = lambda s: urllib.parse.quote(s, safe="-_.~")
    uri = "/".join(quote(seg) for seg in path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = sorted((quote(k), quote(v)) for k, v in
                   urllib.parse.parse_qsl(query, keep_blank_values=True))
    canonical_query = "&".join("%s=%s" % kv for kv in pairs)
    canonical_headers = "".join("%s:%s\n" % (h, hdrs[h].strip()) for h in signed)
    payload = hashlib.sha256(body or b"").hexdigest()
    canonical = "\n".join([method, uri, canonical_query, canonical_headers, ";".join(signed),
                           payload])
    sts = "SDK-HMAC-SHA256\n%s\n%s" % (sdk_date, hashlib.sha256(canonical.encode()).hexdigest())
    sig = hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()
    out = dict(headers)
    out["X-Sdk-Date"] = sdk_date
    out["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        ak, ";".join(signed), sig)
    return out
