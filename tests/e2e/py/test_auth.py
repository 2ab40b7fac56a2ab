"""Authentication end to end (issue #5): ddsd --auth with an --initialUsersFile of SCRAM verifiers
generated here, exercised by pymongo 3.11 (SCRAM-SHA-1, SCRAM-SHA-256, mechanism negotiation,
speculative authentication, SASLprep) and by a raw-socket SCRAM client (OP_QUERY and OP_MSG
conversations, error codes, one user per connection, logout, the failure delay), plus the users
file re-applied at a restart and a bad file refused at startup."""
import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time

import bson
import pymongo
import pytest
from bson.binary import Binary
from pymongo.errors import OperationFailure

from ddsd_launcher import Ddsd, op_msg, recv_message

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import scram_users  # noqa: E402

SHA1, SHA256 = scram_users.SHA1, scram_users.SHA256
ROOT_PWD = "root-Pwd1"
# SASLprep maps the soft hyphen (U+00AD) to nothing: both spellings are the same password.
UNI_PWD = "p\u00e4ss\u00adw\u00f6rd"
UNI_PWD_PREPPED = "p\u00e4ssw\u00f6rd"


def users(root_pwd=ROOT_PWD):
    return [
        scram_users.user_spec("root", root_pwd, "admin", ["root"]),
        scram_users.user_spec("sha1only", "sha1-Pwd", "admin", [{"role": "readWrite", "db": "app"}],
                              mechanisms=[SHA1]),
        scram_users.user_spec("sha256only", "sha256-Pwd", "admin",
                              [{"role": "readWrite", "db": "app"}], mechanisms=[SHA256]),
        scram_users.user_spec("uni", UNI_PWD, "admin", [{"role": "readWrite", "db": "app"}],
                              mechanisms=[SHA256]),
        scram_users.user_spec("appuser", "app-Pwd", "app", ["readWrite"]),
    ]


def write_users(path, specs):
    with open(path, "w") as f:
        f.write(scram_users.users_file_json(specs))
    os.chmod(path, 0o600)


def start_auth_ddsd(specs):
    d = Ddsd()
    path = os.path.join(d.tmp, "initial_users.json")
    write_users(path, specs)
    d.users_path = path
    d.extra_args = ["--auth", "--initialUsersFile", path]
    return d.start()


@pytest.fixture(scope="module")
def auth_ddsd():
    d = start_auth_ddsd(users())
    yield d
    alive = d.alive()
    d.cleanup()
    assert alive, "ddsd died during the tests"


def connect(d, user=None, pwd=None, **kw):
    if user is not None:
        kw.setdefault("authSource", "admin")
        return pymongo.MongoClient("127.0.0.1", d.port, username=user, password=pwd,
                                   serverSelectionTimeoutMS=5000, **kw)
    return pymongo.MongoClient("127.0.0.1", d.port, serverSelectionTimeoutMS=5000, **kw)


# --- a raw-socket client: OP_MSG and OP_QUERY, and the SCRAM client side --------------------------

class Wire:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.request_id = 0

    def close(self):
        self.sock.close()

    def msg(self, doc):
        self.request_id += 1
        self.sock.sendall(op_msg(bson.BSON.encode(doc), self.request_id))
        reply = recv_message(self.sock)
        assert reply, "connection closed"
        return bson.BSON(reply[21:]).decode()

    def query(self, ns, doc):
        self.request_id += 1
        body = (struct.pack("<i", 0) + ns.encode() + b"\x00" + struct.pack("<ii", 0, -1) +
                bson.BSON.encode(doc))
        self.sock.sendall(struct.pack("<iiii", 16 + len(body), self.request_id, 0, 2004) + body)
        reply = recv_message(self.sock)
        assert reply, "connection closed"
        assert struct.unpack("<i", reply[12:16])[0] == 1  # OP_REPLY
        return bson.BSON(reply[36:]).decode()


class ScramClient:
    def __init__(self, mechanism, user, pwd):
        self.mechanism, self.user = mechanism, user
        self.digest = "sha1" if mechanism == SHA1 else "sha256"
        if mechanism == SHA1:
            self.secret = hashlib.md5(("%s:mongo:%s" % (user, pwd)).encode()).hexdigest()
        else:
            self.secret = scram_users._saslprep(pwd)
        self.nonce = base64.b64encode(os.urandom(24)).decode()
        self.bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), self.nonce)

    def first(self):
        return ("n,," + self.bare).encode()

    def final(self, server_first):
        server_first = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        assert attrs["r"].startswith(self.nonce)
        salted = hashlib.pbkdf2_hmac(self.digest, self.secret.encode(), base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", self.digest).digest()
        stored_key = hashlib.new(self.digest, client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join([self.bare, server_first, without_proof]).encode()
        signature = hmac.new(stored_key, auth_message, self.digest).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", self.digest).digest()
        self.server_signature = base64.b64encode(
            hmac.new(server_key, auth_message, self.digest).digest()).decode()
        return (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()


def sasl_login(w, user, pwd, mechanism=SHA256, db="admin", skip_empty=True, op_query=False):
    """Runs a whole conversation; returns the list of replies (stops at the first error)."""
    c = ScramClient(mechanism, user, pwd)

    def run(doc):
        if op_query:
            return w.query(db + ".$cmd", doc)
        doc["$db"] = db
        return w.msg(doc)

    start = {"saslStart": 1, "mechanism": mechanism, "payload": Binary(c.first()), "autoAuthorize": 1}
    if skip_empty:
        start["options"] = {"skipEmptyExchange": True}
    replies = [run(start)]
    if replies[-1]["ok"] != 1:
        return replies
    replies.append(run({"saslContinue": 1, "conversationId": replies[-1]["conversationId"],
                        "payload": Binary(c.final(replies[-1]["payload"]))}))
    if replies[-1]["ok"] != 1:
        return replies
    assert bytes(replies[-1]["payload"]).decode() == "v=" + c.server_signature
    if not replies[-1]["done"]:
        replies.append(run({"saslContinue": 1, "conversationId": 1, "payload": Binary(b"")}))
    return replies


def authenticated_users(w):
    reply = w.msg({"connectionStatus": 1, "$db": "admin"})
    assert reply["ok"] == 1, reply
    return reply["authInfo"]["authenticatedUsers"]


# --- pymongo 3.11 ------------------------------------------------------------------------------

@pytest.mark.parametrize("mechanism", [SHA1, SHA256])
def test_pymongo_authenticates_with_each_mechanism(auth_ddsd, mechanism):
    with connect(auth_ddsd, "root", ROOT_PWD, authMechanism=mechanism) as c:
        c.app.things.insert_one({"by": mechanism})
        assert c.app.things.count_documents({"by": mechanism}) == 1
        status = c.admin.command("connectionStatus")
        assert status["authInfo"]["authenticatedUsers"] == [{"user": "root", "db": "admin"}]
        assert {"role": "root", "db": "admin"} in status["authInfo"]["authenticatedUserRoles"]


def test_pymongo_negotiates_the_mechanism_from_sasl_supported_mechs(auth_ddsd):
    # No authMechanism: pymongo asks saslSupportedMechs and picks SCRAM-SHA-256 when listed.
    for user, pwd, expected in [("root", ROOT_PWD, SHA256), ("sha1only", "sha1-Pwd", SHA1),
                                ("sha256only", "sha256-Pwd", SHA256)]:
        with connect(auth_ddsd, user, pwd) as c:
            c.admin.command("ping")
            c.app.neg.find_one()
        with open(auth_ddsd.log_path) as f:
            lines = [json.loads(l) for l in f if '"id":20250' in l]
        mine = [l["attr"] for l in lines if l["attr"]["principalName"] == user]
        assert mine and mine[-1]["mechanism"] == expected, mine


def test_pymongo_speculative_authentication(auth_ddsd):
    # pymongo 3.11 puts saslStart into its OP_QUERY isMaster; the server answers the first step
    # there, so the log shows a speculative success.
    with connect(auth_ddsd, "root", ROOT_PWD, authMechanism=SHA256, appname="speculative-test") as c:
        c.admin.command("ping")
    with open(auth_ddsd.log_path) as f:
        lines = [json.loads(l) for l in f if '"id":20250' in l]
    assert any(l["attr"]["speculative"] for l in lines), lines[-3:]


def test_wrong_password_unknown_user_and_wrong_mechanism_answer_18(auth_ddsd):
    cases = [("root", "wrong", SHA256), ("root", "wrong", SHA1), ("nobody", "x", SHA256),
             ("sha1only", "sha1-Pwd", SHA256), ("sha256only", "sha256-Pwd", SHA1),
             ("appuser", "app-Pwd", SHA256)]  # appuser lives in "app", not "admin"
    for user, pwd, mechanism in cases:
        with connect(auth_ddsd, user, pwd, authMechanism=mechanism) as c:
            with pytest.raises(OperationFailure) as e:
                c.admin.command("ping")
            assert e.value.code == 18, (user, mechanism, e.value.details)
            assert e.value.details["errmsg"] == "Authentication failed."
            assert e.value.details["codeName"] == "AuthenticationFailed"


def test_auth_source_other_than_admin(auth_ddsd):
    with connect(auth_ddsd, "appuser", "app-Pwd", authSource="app") as c:
        c.app.mine.insert_one({"x": 1})
        status = c.app.command("connectionStatus", showPrivileges=True)["authInfo"]
        assert status["authenticatedUsers"] == [{"user": "appuser", "db": "app"}]
        assert status["authenticatedUserRoles"] == [{"role": "readWrite", "db": "app"}]
        assert any(p["resource"] == {"db": "app", "collection": ""} and "insert" in p["actions"]
                   for p in status["authenticatedUserPrivileges"]), status


def test_saslprep_of_a_non_ascii_password(auth_ddsd):
    for pwd in (UNI_PWD, UNI_PWD_PREPPED):
        with connect(auth_ddsd, "uni", pwd, authMechanism=SHA256) as c:
            c.admin.command("ping")
            assert c.admin.command("connectionStatus")["authInfo"]["authenticatedUsers"] == [
                {"user": "uni", "db": "admin"}]
    with connect(auth_ddsd, "uni", "passwort", authMechanism=SHA256) as c:
        with pytest.raises(OperationFailure) as e:
            c.admin.command("ping")
        assert e.value.code == 18


def test_unauthenticated_commands(auth_ddsd):
    with connect(auth_ddsd) as c:
        # The handshake and a few harmless commands answer before authentication.
        c.admin.command("ping")
        c.admin.command("buildInfo")
        hello = c.admin.command("isMaster")
        assert hello["ismaster"] is True
        status = c.admin.command("connectionStatus")
        assert status["authInfo"] == {"authenticatedUsers": [], "authenticatedUserRoles": []}
        with pytest.raises(OperationFailure) as e:
            c.app.things.find_one()
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            c.list_database_names()
        assert e.value.code == 13


def test_hello_sasl_supported_mechs(auth_ddsd):
    with connect(auth_ddsd) as c:
        def mechs(name):
            return c.admin.command("isMaster", saslSupportedMechs=name).get("saslSupportedMechs")
        assert mechs("admin.root") == [SHA1, SHA256]
        assert mechs("admin.sha1only") == [SHA1]
        assert mechs("admin.sha256only") == [SHA256]
        assert mechs("app.appuser") == [SHA1, SHA256]
        assert mechs("admin.nobody") is None
        assert mechs("app.root") is None
        with pytest.raises(OperationFailure) as e:
            mechs("nodot")
        assert e.value.code == 2


def test_get_cmd_line_opts_shows_authorization(auth_ddsd):
    with connect(auth_ddsd, "root", ROOT_PWD) as c:
        parsed = c.admin.command("getCmdLineOpts")["parsed"]
        assert parsed["security"]["authorization"] == "enabled"
        assert parsed["security"]["initialUsersFile"] == auth_ddsd.users_path


# --- raw conversations -------------------------------------------------------------------------

@pytest.mark.parametrize("mechanism", [SHA1, SHA256])
@pytest.mark.parametrize("op_query", [False, True])
def test_raw_conversation_with_and_without_skip_empty_exchange(auth_ddsd, mechanism, op_query):
    for skip_empty in (True, False):
        w = Wire(auth_ddsd.port)
        try:
            replies = sasl_login(w, "root", ROOT_PWD, mechanism, skip_empty=skip_empty,
                                 op_query=op_query)
            assert [r["ok"] for r in replies] == [1.0] * len(replies), replies
            assert [r["done"] for r in replies] == (
                [False, True] if skip_empty else [False, False, True])
            assert all(r["conversationId"] == 1 for r in replies)
            assert isinstance(replies[0]["payload"], bytes)
            assert authenticated_users(w) == [{"user": "root", "db": "admin"}]
            assert w.msg({"find": "things", "$db": "app"})["ok"] == 1
        finally:
            w.close()


def test_op_query_sasl_start_rejects_dollar_db(auth_ddsd):
    w = Wire(auth_ddsd.port)
    try:
        reply = w.query("admin.$cmd", {"saslStart": 1, "mechanism": SHA256,
                                       "payload": Binary(b"n,,n=root,r=abc"), "$db": "admin"})
        assert reply["ok"] == 0 and reply["code"] == 40621, reply
        reply = w.query("admin.$cmd", {"find": "things"})
        assert reply["code"] == 352, reply
    finally:
        w.close()


def test_protocol_errors(auth_ddsd):
    w = Wire(auth_ddsd.port)
    try:
        r = w.msg({"saslContinue": 1, "conversationId": 1, "payload": Binary(b""), "$db": "admin"})
        assert (r["ok"], r["code"], r["errmsg"]) == (0, 17, "No SASL session state found")
        r = w.msg({"saslStart": 1, "mechanism": "BAD", "payload": Binary(b"x"), "$db": "admin"})
        assert (r["code"], r["errmsg"]) == (2, "Unknown auth mechanism 'BAD'")
        r = w.msg({"saslStart": 1, "mechanism": "PLAIN", "payload": Binary(b"x"), "$db": "admin"})
        assert r["code"] == 334 and r["codeName"] == "MechanismUnavailable", r
        r = w.msg({"saslStart": 1, "payload": Binary(b"x"), "$db": "admin"})
        assert r["code"] == 40414, r
        # A malformed client-first-message is a credential failure like any other.
        r = w.msg({"saslStart": 1, "mechanism": SHA256, "payload": Binary(b"garbage"),
                   "$db": "admin"})
        assert (r["code"], r["errmsg"]) == (18, "Authentication failed."), r
        # A payload given as a base64 string is answered as a base64 string (old shells).
        c = ScramClient(SHA256, "root", ROOT_PWD)
        r = w.msg({"saslStart": 1, "mechanism": SHA256, "$db": "admin",
                   "payload": base64.b64encode(c.first()).decode()})
        assert r["ok"] == 1 and isinstance(r["payload"], str), r
        r = w.msg({"saslContinue": 1, "conversationId": 7, "payload": Binary(b""), "$db": "admin"})
        assert r["code"] == 17, r
    finally:
        w.close()


def test_one_user_per_connection_and_logout(auth_ddsd):
    w = Wire(auth_ddsd.port)
    try:
        assert sasl_login(w, "root", ROOT_PWD)[-1]["done"]
        # Again as the same user: allowed.
        assert sasl_login(w, "root", ROOT_PWD, SHA1)[-1]["done"]
        r = sasl_login(w, "sha256only", "sha256-Pwd")[-1]
        assert r["ok"] == 0 and r["code"] == 5626701, r
        assert "Previously authenticated as: root@admin" in r["errmsg"]
        assert authenticated_users(w) == [{"user": "root", "db": "admin"}]
        # logout on another database than the user's: nothing happens.
        assert w.msg({"logout": 1, "$db": "app"})["ok"] == 1
        assert authenticated_users(w) == [{"user": "root", "db": "admin"}]
        assert w.msg({"logout": 1, "$db": "admin"})["ok"] == 1
        assert authenticated_users(w) == []
        assert w.msg({"find": "things", "$db": "app"})["code"] == 13
        # After logout another user may authenticate.
        assert sasl_login(w, "sha256only", "sha256-Pwd")[-1]["done"]
        assert authenticated_users(w) == [{"user": "sha256only", "db": "admin"}]
    finally:
        w.close()


def test_speculative_authenticate_in_hello(auth_ddsd):
    w = Wire(auth_ddsd.port)
    try:
        c = ScramClient(SHA256, "root", ROOT_PWD)
        hello = w.query("admin.$cmd", {
            "isMaster": 1, "helloOk": True, "saslSupportedMechs": "admin.root",
            "speculativeAuthenticate": {"saslStart": 1, "mechanism": SHA256,
                                        "payload": Binary(c.first()),
                                        "options": {"skipEmptyExchange": True}, "db": "admin"}})
        assert hello["saslSupportedMechs"] == [SHA1, SHA256]
        spec = hello["speculativeAuthenticate"]
        assert spec["conversationId"] == 1 and spec["done"] is False
        r = w.msg({"saslContinue": 1, "conversationId": 1, "payload": Binary(c.final(spec["payload"])),
                   "$db": "admin"})
        assert r["ok"] == 1 and r["done"] is True, r
        assert authenticated_users(w) == [{"user": "root", "db": "admin"}]

        # A failing speculative step is simply left out of the reply.
        w2 = Wire(auth_ddsd.port)
        hello = w2.msg({"hello": 1, "$db": "admin", "speculativeAuthenticate": {
            "saslStart": 1, "mechanism": SHA256, "db": "admin",
            "payload": Binary(ScramClient(SHA256, "nobody", "x").first())}})
        assert hello["ok"] == 1 and "speculativeAuthenticate" not in hello
        w2.close()
    finally:
        w.close()


def test_failures_are_logged_and_slowed_down(auth_ddsd):
    w = Wire(auth_ddsd.port)
    try:
        took = []
        for _ in range(5):
            t0 = time.monotonic()
            r = sasl_login(w, "root", "bad-password")[-1]
            took.append(time.monotonic() - t0)
            assert r["code"] == 18
        # The 4th and 5th failures on this connection wait 100 ms and 200 ms before answering
        # (a lower bound only: sleeping can never be shorter under load).
        assert took[3] >= 0.09 and took[4] >= 0.19, took
        # Another connection is not slowed down by this one, and succeeds.
        w2 = Wire(auth_ddsd.port)
        assert sasl_login(w2, "root", ROOT_PWD)[-1]["done"]
        w2.close()
    finally:
        w.close()
    with open(auth_ddsd.log_path) as f:
        failures = [json.loads(l) for l in f if '"id":20249' in l]
    attrs = failures[-1]["attr"]
    assert attrs["principalName"] == "root" and attrs["authenticationDatabase"] == "admin"
    assert attrs["mechanism"] == SHA256
    assert attrs["remote"].startswith("127.0.0.1:")
    assert "bad-password" not in open(auth_ddsd.log_path).read()


# --- the initial users file --------------------------------------------------------------------

def test_initial_users_file_is_reapplied_at_restart():
    d = start_auth_ddsd(users("first-Pwd"))
    try:
        with connect(d, "root", "first-Pwd") as c:
            c.app.keep.insert_one({"_id": 1})
        assert d.stop() == 0
        # The management service rewrote the file with a new password.
        write_users(d.users_path, users("second-Pwd"))
        d.restart()
        for mechanism in (SHA1, SHA256):
            with connect(d, "root", "first-Pwd", authMechanism=mechanism) as c:
                with pytest.raises(OperationFailure) as e:
                    c.admin.command("ping")
                assert e.value.code == 18
            with connect(d, "root", "second-Pwd", authMechanism=mechanism) as c:
                assert c.app.keep.find_one() == {"_id": 1}
    finally:
        d.cleanup()


@pytest.mark.parametrize("content, message", [
    ('[{"user": "a", "db": "admin", "pwd": "secret", "roles": []}]', "plaintext passwords"),
    ("not json", "not valid JSON"),
    ('{"user": "a"}', "array"),
    ('[{"user": "a", "db": "admin", "roles": [], "credentials": {"SCRAM-SHA-256": '
     '{"iterationCount": 15000, "salt": "c2FsdA==", "storedKey": "eA==", "serverKey": "eA=="}}}]',
     "storedKey"),
])
def test_a_bad_initial_users_file_stops_startup(content, message):
    d = Ddsd()
    try:
        path = os.path.join(d.tmp, "users.json")
        with open(path, "w") as f:
            f.write(content)
        d.extra_args = ["--auth", "--initialUsersFile", path]
        with pytest.raises(RuntimeError):
            d.start()
        log = d.log_tail(50)
        assert message in log, log
        assert "secret" not in log
    finally:
        d.cleanup()


def test_missing_initial_users_file_stops_startup():
    d = Ddsd(["--auth", "--initialUsersFile", "/nonexistent/users.json"])
    try:
        with pytest.raises(RuntimeError):
            d.start()
        assert "/nonexistent/users.json" in d.log_tail(50)
    finally:
        d.cleanup()
