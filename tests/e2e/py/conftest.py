"""pytest fixtures for the pymongo 3.11 end-to-end tests (run with /usr/bin/python3 -m pytest).

`ddsd`: one real ddsd per test module (ddsd_launcher.Ddsd). `client`: a pymongo MongoClient to it.
`db`: a fresh database per test. `fresh_ddsd`: a ddsd of its own for one test (crash/restart tests).
`authd`: one ddsd --auth per test module whose only user is AUTH_ROOT_USER / AUTH_ROOT_PWD (role
root), from an --initialUsersFile of SCRAM verifiers.
"""
import itertools
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

import pymongo  # noqa: E402

from ddsd_launcher import AUTH_ROOT_PWD, AUTH_ROOT_USER, Ddsd  # noqa: E402
import scram_users  # noqa: E402

_db_counter = itertools.count()


@pytest.fixture(scope="module")
def ddsd():
    d = Ddsd().start()
    yield d
    alive = d.alive()
    code = d.stop()
    d.cleanup()
    # A server that died under the tests (crash, sanitizer abort) fails the module loudly.
    assert alive, "ddsd died during the tests (exit code %s)" % code


@pytest.fixture(scope="module")
def client(ddsd):
    c = pymongo.MongoClient(ddsd.uri, serverSelectionTimeoutMS=5000)
    yield c
    c.close()


@pytest.fixture
def db(client, request):
    safe = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:40]
    name = "py_%s_%d" % (safe, next(_db_counter))
    yield client[name]


@pytest.fixture
def fresh_ddsd():
    d = Ddsd()
    yield d
    d.cleanup()


@pytest.fixture(scope="module")
def authd():
    users_dir = Ddsd()  # only for its temp directory
    users_file = os.path.join(users_dir.tmp, "users.json")
    with open(users_file, "w") as f:
        f.write(scram_users.users_file_json([scram_users.user_spec(AUTH_ROOT_USER, AUTH_ROOT_PWD)]))
    os.chmod(users_file, 0o600)
    d = Ddsd(extra_args=["--auth", "--initialUsersFile", users_file]).start()
    yield d
    alive = d.alive()
    code = d.stop()
    d.cleanup()
    users_dir.cleanup()
    assert alive, "ddsd died during the tests (exit code %s)" % code
