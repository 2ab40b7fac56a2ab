"""TLS end to end with pymongo 3.11: net.tls.mode requireTLS / preferTLS / allowTLS, client
certificates with --tlsCAFile, refusals (plaintext under requireTLS, a client that trusts another
CA, a missing or foreign client certificate), garbage instead of a ClientHello, startup errors.

Certificates are generated per module with the openssl CLI (tests/e2e/lib/make_test_certs.sh).
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import pymongo
import pytest
from pymongo.errors import ServerSelectionTimeoutError

import ddsd_launcher
from ddsd_launcher import DDSD, Ddsd, PING_DOC, op_msg, recv_message

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CERTS = os.path.join(HERE, "..", "lib", "make_test_certs.sh")


@pytest.fixture(scope="module")
def certs():
    d = tempfile.mkdtemp(prefix="dds-e2e-tls-")
    subprocess.run(["bash", MAKE_CERTS, d], check=True)
    yield lambda name: os.path.join(d, name)
    shutil.rmtree(d, ignore_errors=True)


def tls_ping(port, ca, client_pem, timeout=2.0):
    """{ping: 1} over TLS; True on ok: 1."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(client_pem)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(op_msg(PING_DOC))
                reply = recv_message(s)
    except (OSError, ssl.SSLError):
        return False
    return b"\x01ok\x00" in reply


class TlsDdsd(Ddsd):
    """A ddsd whose readiness ping falls back to TLS (requireTLS refuses the plaintext one)."""

    def __init__(self, certs, extra_args):
        super().__init__(extra_args)
        self.certs = certs

    def _launch(self, port):
        plain = ddsd_launcher.ping_once
        ca, client = self.certs("ca.pem"), self.certs("client.pem")
        ddsd_launcher.ping_once = lambda p: plain(p, timeout=0.5) or tls_ping(p, ca, client)
        try:
            return super()._launch(port)
        finally:
            ddsd_launcher.ping_once = plain


@pytest.fixture
def start(certs):
    started = []

    def _start(mode, *extra):
        d = TlsDdsd(certs, ["--tlsMode", mode, "--tlsCertificateKeyFile", certs("server.pem")]
                    + list(extra)).start()
        started.append(d)
        return d

    yield _start
    for d in started:
        alive = d.alive()
        d.cleanup()
        assert alive, "ddsd died during the test"


def tls_client(d, certs, **kw):
    opts = dict(tls=True, tlsCAFile=certs("ca.pem"), serverSelectionTimeoutMS=5000)
    opts.update(kw)
    return pymongo.MongoClient(d.uri, **opts)


def plain_client(d, **kw):
    return pymongo.MongoClient(d.uri, serverSelectionTimeoutMS=kw.pop("timeout_ms", 5000), **kw)


def crud_round_trip(client, name):
    coll = client["tls_test"][name]
    coll.insert_many([{"_id": i, "v": "x" * i} for i in range(50)])
    assert coll.find_one({"_id": 7}) == {"_id": 7, "v": "xxxxxxx"}
    assert coll.update_one({"_id": 7}, {"$set": {"v": "y"}}).modified_count == 1
    assert coll.delete_one({"_id": 8}).deleted_count == 1
    assert coll.count_documents({}) == 49
    # Many batches: getMore over the TLS stream.
    assert len(list(coll.find().batch_size(3))) == 49


def refused(client):
    try:
        with pytest.raises(ServerSelectionTimeoutError):
            client.admin.command("ping")
    finally:
        client.close()


def log_text(d):
    with open(d.log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def test_require_tls_crud_round_trip(start, certs):
    d = start("requireTLS")
    c = tls_client(d, certs)
    crud_round_trip(c, "require")
    opts = c.admin.command("getCmdLineOpts")["parsed"]["net"]["tls"]
    assert opts == {"mode": "requireTLS", "certificateKeyFile": certs("server.pem")}
    c.close()
    assert '"ssl":"on"' in log_text(d)


def test_require_tls_refuses_plaintext(start, certs):
    d = start("requireTLS")
    refused(plain_client(d, timeout_ms=1500))
    with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
        s.sendall(op_msg(PING_DOC))
        assert recv_message(s) == b""  # closed without an answer
    log = log_text(d)
    assert "The server is configured to only allow SSL connections" in log
    assert "Error receiving request from client. Ending connection from remote" in log
    # TLS still works after the refusals.
    c = tls_client(d, certs)
    assert c.admin.command("ping")["ok"] == 1.0
    c.close()


@pytest.mark.parametrize("mode", ["preferTLS", "allowTLS"])
def test_prefer_and_allow_accept_tls_and_plaintext(start, certs, mode):
    d = start(mode)
    t, p = tls_client(d, certs), plain_client(d)
    crud_round_trip(t, "tls_" + mode)
    crud_round_trip(p, "plain_" + mode)
    assert p["tls_test"]["tls_" + mode].count_documents({}) == 49
    t.close()
    p.close()


def test_client_that_trusts_another_ca_refuses_the_server(start, certs):
    d = start("requireTLS")
    refused(tls_client(d, certs, tlsCAFile=certs("other-ca.pem"), serverSelectionTimeoutMS=1500))


def test_client_certificates_with_ca_file(start, certs):
    d = start("requireTLS", "--tlsCAFile", certs("ca.pem"))
    good = tls_client(d, certs, tlsCertificateKeyFile=certs("client.pem"))
    crud_round_trip(good, "client_cert")
    good.close()
    # Without a certificate, or with one from another CA: refused (mongod's default).
    refused(tls_client(d, certs, serverSelectionTimeoutMS=1500))
    refused(tls_client(d, certs, tlsCertificateKeyFile=certs("other-client.pem"),
                       serverSelectionTimeoutMS=1500))
    log = log_text(d)
    assert "no SSL certificate provided by peer; connection rejected" in log
    assert "SSL peer certificate validation failed" in log


def test_allow_connections_without_certificates(start, certs):
    d = start("requireTLS", "--tlsCAFile", certs("ca.pem"), "--tlsAllowConnectionsWithoutCertificates")
    anonymous = tls_client(d, certs)
    assert anonymous.admin.command("ping")["ok"] == 1.0
    anonymous.close()
    with_cert = tls_client(d, certs, tlsCertificateKeyFile=certs("client.pem"))
    assert with_cert.admin.command("ping")["ok"] == 1.0
    with_cert.close()
    # A certificate that does not verify is still refused.
    refused(tls_client(d, certs, tlsCertificateKeyFile=certs("other-client.pem"),
                       serverSelectionTimeoutMS=1500))


def test_encrypted_key_with_password(certs):
    d = TlsDdsd(certs, ["--tlsMode", "requireTLS",
                        "--tlsCertificateKeyFile", certs("server-encrypted.pem"),
                        "--tlsCertificateKeyFilePassword", "dds-test"]).start()
    try:
        c = tls_client(d, certs)
        res = c.admin.command("getCmdLineOpts")
        assert res["parsed"]["net"]["tls"]["certificateKeyFilePassword"] == "<password>"
        assert "dds-test" not in res["argv"]
        c.close()
        assert "dds-test" not in log_text(d)
    finally:
        d.cleanup()


def test_garbage_instead_of_client_hello_does_not_hurt_the_server(start, certs):
    d = start("preferTLS")
    witness = tls_client(d, certs)
    witness["tls_test"]["garbage"].insert_one({"_id": 1})
    payloads = [
        b"\x16\x03\x01\x00\x10" + b"\x01" + os.urandom(200),  # a record that claims a ClientHello
        b"\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03" + b"\x00" * 64,  # truncated ClientHello
        os.urandom(4096),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    for payload in payloads:
        with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                s.recv(1 << 16)
            except OSError:
                pass
    # A client that starts a handshake and stalls holds no thread: others are served meanwhile.
    stalled = socket.create_connection(("127.0.0.1", d.port), timeout=5)
    stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 10)
    for i in range(20):
        assert witness["tls_test"]["garbage"].find_one({"_id": 1}) == {"_id": 1}
    plain = plain_client(d)
    assert plain.admin.command("ping")["ok"] == 1.0
    plain.close()
    stalled.close()
    witness.close()
    assert d.alive()


def test_handshake_timeout_closes_a_stalled_client(certs):
    # The handshake timeout is 10 s (the unit tests use a short one); a client that stalls before
    # its first bytes are complete is closed.
    d = TlsDdsd(certs, ["--tlsMode", "requireTLS", "--tlsCertificateKeyFile",
                        certs("server.pem")]).start()
    try:
        s = socket.create_connection(("127.0.0.1", d.port), timeout=30)
        s.sendall(b"\x16\x03\x01")  # fewer bytes than a header, then nothing
        t0 = time.monotonic()
        assert s.recv(1) == b""  # the server closes it
        assert time.monotonic() - t0 < 25
        s.close()
        assert "no TLS handshake or request within the timeout" in log_text(d)
    finally:
        d.cleanup()


def run_ddsd_expecting_failure(args):
    tmp = tempfile.mkdtemp(prefix="dds-e2e-tls-fail-")
    try:
        p = subprocess.run([DDSD, "--port", "0", "--dbpath", os.path.join(tmp, "db")] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_startup_errors(certs):
    code, out = run_ddsd_expecting_failure(["--tlsMode", "requireTLS"])
    assert code == 2
    assert "need tlsCertificateKeyFile or certificateSelector when TLS is enabled" in out
    code, out = run_ddsd_expecting_failure(["--tlsCAFile", certs("ca.pem")])
    assert code == 2
    assert "need to enable TLS via the sslMode/tlsMode flag" in out
    code, out = run_ddsd_expecting_failure(["--tlsMode", "requireTLS",
                                            "--tlsCertificateKeyFile", "/nonexistent/server.pem"])
    assert code != 0
    assert "Can not set up PEM key file" in out
    code, out = run_ddsd_expecting_failure(["--tlsMode", "requireTLS", "--tlsCertificateKeyFile",
                                            certs("server-encrypted.pem"),
                                            "--tlsCertificateKeyFilePassword", "wrong"])
    assert code != 0
    assert "Can not set up PEM key file" in out
