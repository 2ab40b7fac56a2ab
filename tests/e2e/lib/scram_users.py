"""Writes ddsd initial users files (--initialUsersFile) for end-to-end tests.

Derives SCRAM-SHA-1 / SCRAM-SHA-256 verifiers exactly as mongod stores them (the SHA-1 password is
the hex MD5 of "user:mongo:password"; the SHA-256 one is SASLprep(password)), so the tests know the
plaintext and ddsd only ever sees salted verifiers. Standard library only (plus pymongo's SASLprep
when the password is not ASCII); works with /usr/bin/python3 and any python3.

As a module:  users_file_json([user_spec(...), ...])
As a CLI:     echo '[{"user": "u", "pwd": "p", "db": "admin", "roles": ["root"],
                      "mechanisms": ["SCRAM-SHA-256"]}]' | python3 scram_users.py > users.json
"""
import base64
import hashlib
import hmac
import json
import os
import sys

SHA1 = "SCRAM-SHA-1"
SHA256 = "SCRAM-SHA-256"
# Low iteration counts keep the tests fast; ddsd accepts anything at or above these (RFC 7677).
TEST_ITERATIONS = {SHA1: 5000, SHA256: 4096}


def _saslprep(password):
    if all(0x20 <= ord(c) < 0x7F for c in password):
        return password
    from pymongo.saslprep import saslprep  # stringprep-based, RFC 4013
    return saslprep(password)


def derive(mechanism, user, password, iterations, salt=None):
    """Returns {iterationCount, salt, storedKey, serverKey} (base64) for one mechanism."""
    if mechanism == SHA1:
        digest = "sha1"
        secret = hashlib.md5(("%s:mongo:%s" % (user, password)).encode("utf-8")).hexdigest()
        salt = salt or os.urandom(16)
    elif mechanism == SHA256:
        digest = "sha256"
        secret = _saslprep(password)
        salt = salt or os.urandom(28)
    else:
        raise ValueError("unknown mechanism %r" % mechanism)
    salted = hashlib.pbkdf2_hmac(digest, secret.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    stored_key = hashlib.new(digest, client_key).digest()
    server_key = hmac.new(salted, b"Server Key", digest).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return {"iterationCount": iterations, "salt": b64(salt), "storedKey": b64(stored_key),
            "serverKey": b64(server_key)}


def user_spec(user, pwd, db="admin", roles=("root",), mechanisms=(SHA1, SHA256), iterations=None):
    """One entry of the file. Roles are names (of `db`) or {"role", "db"} documents."""
    creds = {}
    for m in mechanisms:
        creds[m] = derive(m, user, pwd, iterations or TEST_ITERATIONS[m])
    out_roles = [r if isinstance(r, dict) else {"role": r, "db": db} for r in roles]
    return {"user": user, "db": db, "roles": out_roles, "credentials": creds}


def users_file_json(specs):
    return json.dumps(specs, indent=1)


def main():
    wanted = json.load(sys.stdin)
    specs = [user_spec(w["user"], w["pwd"], w.get("db", "admin"), w.get("roles", ["root"]),
                       w.get("mechanisms", [SHA1, SHA256]), w.get("iterations"))
             for w in wanted]
    sys.stdout.write(users_file_json(specs) + "\n")


if __name__ == "__main__":
    main()
