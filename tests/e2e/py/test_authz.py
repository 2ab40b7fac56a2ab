"""Authorization end to end with pymongo 3.11: ddsd --auth with an initial root user
(--initialUsersFile, SCRAM verifiers only), users and roles created over the wire, refusals with
mongod's code and message, changes reaching live connections, and the localhost exception.
"""
import itertools
import json

import pytest

import pymongo
from pymongo.errors import OperationFailure

from ddsd_launcher import AUTH_ROOT_PWD as ROOT_PWD, AUTH_ROOT_USER as ROOT_USER, Ddsd, connect

_names = itertools.count()


def unique(prefix):
    return "%s%d" % (prefix, next(_names))


@pytest.fixture(scope="module")
def root(authd):
    c = connect(authd, ROOT_USER, ROOT_PWD)
    yield c
    c.close()


def make_user(root_client, db, roles, pwd="pw"):
    name = unique("u")
    root_client[db].command("createUser", name, pwd=pwd, roles=roles)
    return name


def assert_unauthorized(excinfo, prefix):
    assert excinfo.value.code == 13, excinfo.value.details
    assert excinfo.value.details["codeName"] == "Unauthorized"
    assert excinfo.value.details["errmsg"].startswith(prefix), excinfo.value.details["errmsg"]


def test_unauthenticated_only_handshake_commands(authd):
    c = connect(authd)
    try:
        assert c.admin.command("ping")["ok"] == 1.0
        assert c.admin.command("buildInfo")["ok"] == 1.0
        status = c.admin.command("connectionStatus")
        assert status["authInfo"]["authenticatedUsers"] == []
        with pytest.raises(OperationFailure) as e:
            c.test.c.find_one()
        assert_unauthorized(e, "Command find requires authentication")
        with pytest.raises(OperationFailure) as e:
            c.admin.command("listDatabases")
        assert e.value.code == 13
    finally:
        c.close()


def test_read_user_refused_an_insert(authd, root):
    db = unique("shop")
    root[db].orders.insert_one({"_id": 1})
    name = make_user(root, db, ["read"])
    c = connect(authd, name, "pw", db)
    try:
        assert c[db].orders.find_one() == {"_id": 1}
        assert c[db].orders.count_documents({}) == 1
        with pytest.raises(OperationFailure) as e:
            c[db].orders.insert_one({"_id": 2})
        assert_unauthorized(e, "not authorized on %s to execute command { insert: \"orders\"" % db)
        with pytest.raises(OperationFailure) as e:
            c[db].orders.delete_many({})
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            c[db].command("reIndex", "orders")
        assert_unauthorized(e, "not authorized on %s to execute command { reIndex: \"orders\"" % db)
    finally:
        c.close()
    # dbAdmin holds reIndex (and no read of the data).
    admin_name = make_user(root, db, ["dbAdmin"])
    c = connect(authd, admin_name, "pw", db)
    try:
        assert c[db].command("reIndex", "orders")["nIndexes"] == 1
    finally:
        c.close()


def test_read_write_user_refused_on_another_database(authd, root):
    db = unique("shop")
    other = unique("other")
    root[other].c.insert_one({"x": 1})
    name = make_user(root, "admin", [{"role": "readWrite", "db": db}])
    c = connect(authd, name, "pw", "admin")
    try:
        c[db].c.insert_one({"a": 1})
        c[db].c.update_one({"a": 1}, {"$set": {"b": 2}})
        c[db].c.create_index("a")
        assert c[db].c.find_one({}, {"_id": 0}) == {"a": 1, "b": 2}
        with pytest.raises(OperationFailure) as e:
            c[other].c.find_one()
        assert_unauthorized(e, "not authorized on %s to execute command { find: \"c\"" % other)
        with pytest.raises(OperationFailure) as e:
            c[other].c.insert_one({"a": 1})
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            c.drop_database(db)
        assert e.value.code == 13
        # listDatabases shows only what the user has privileges on.
        assert c.list_database_names() == [db]
    finally:
        c.close()


def test_user_administrator_flows(authd, root):
    db = unique("shop")
    admin_name = make_user(root, db, ["userAdmin"])
    ua = connect(authd, admin_name, "pw", db)
    try:
        ua[db].command("createUser", "app", pwd="app-pw", roles=["readWrite"])
        with pytest.raises(OperationFailure) as e:
            ua[db].command("createUser", "app", pwd="x", roles=[])
        assert e.value.code == 51003
        with pytest.raises(OperationFailure) as e:
            ua[unique("other")].command("createUser", "x", pwd="x", roles=[])
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            ua[db].command("createUser", "y", pwd="x", roles=[{"role": "read", "db": "elsewhere"}])
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            ua[db].command("createUser", "z", pwd="x", roles=["noSuchRole"])
        assert e.value.code == 31
        # The user administrator cannot read data itself, the new user can write.
        with pytest.raises(OperationFailure):
            ua[db].c.find_one()
        app = connect(authd, "app", "app-pw", db)
        try:
            app[db].c.insert_one({"ok": True})
            assert app[db].c.count_documents({}) == 1
        finally:
            app.close()
        ua[db].command("updateUser", "app", pwd="new-pw")
        app = connect(authd, "app", "new-pw", db)
        try:
            assert app[db].c.count_documents({}) == 1
        finally:
            app.close()
        ua[db].command("dropUser", "app")
        with pytest.raises(OperationFailure) as e:
            ua[db].command("dropUser", "app")
        assert e.value.code == 11
    finally:
        ua.close()


def test_custom_role_granting_one_collection(authd, root):
    db = unique("shop")
    root[db].orders.insert_one({"_id": 1, "cust": 7})
    root[db].customers.insert_one({"_id": 7})
    root[db].command("createRole", "ordersReader",
                     privileges=[{"resource": {"db": db, "collection": "orders"},
                                  "actions": ["find"]}],
                     roles=[])
    name = make_user(root, db, ["ordersReader"])
    c = connect(authd, name, "pw", db)
    try:
        assert c[db].orders.find_one()["_id"] == 1
        with pytest.raises(OperationFailure) as e:
            c[db].customers.find_one()
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            c[db].orders.insert_one({})
        assert e.value.code == 13
        with pytest.raises(OperationFailure) as e:
            list(c[db].orders.aggregate([{"$lookup": {"from": "customers", "localField": "cust",
                                                      "foreignField": "_id", "as": "c"}}]))
        assert e.value.code == 13
        names = c[db].list_collection_names(authorizedCollections=True)
        assert names == ["orders"]
    finally:
        c.close()


def test_users_info_and_roles_info_shapes(authd, root):
    db = unique("shop")
    root[db].command("createUser", "shape", pwd="pw", roles=["read"], customData={"team": 1})
    info = root[db].command("usersInfo", "shape")
    assert len(info["users"]) == 1
    u = info["users"][0]
    assert u["_id"] == "%s.shape" % db
    assert u["user"] == "shape" and u["db"] == db
    assert u["roles"] == [{"role": "read", "db": db}]
    assert u["customData"] == {"team": 1}
    assert sorted(u["mechanisms"]) == ["SCRAM-SHA-1", "SCRAM-SHA-256"]
    assert "credentials" not in u
    assert list(u.keys())[:4] == ["_id", "userId", "user", "db"]
    info = root[db].command("usersInfo", 1, showCredentials=True)
    creds = info["users"][0]["credentials"]
    assert creds["SCRAM-SHA-256"]["iterationCount"] == 15000
    assert creds["SCRAM-SHA-1"]["iterationCount"] == 10000
    assert "pwd" not in json.dumps(creds, default=str)
    info = root.admin.command("usersInfo", {"forAllDBs": True})
    assert {(x["user"], x["db"]) for x in info["users"]} >= {(ROOT_USER, "admin"), ("shape", db)}

    roles = root[db].command("rolesInfo", 1, showBuiltinRoles=True)
    by_name = {r["role"]: r for r in roles["roles"]}
    assert {"read", "readWrite", "dbAdmin", "dbOwner", "userAdmin"} <= set(by_name)
    assert by_name["read"]["isBuiltin"] is True
    read = root[db].command("rolesInfo", "read", showPrivileges=True)["roles"][0]
    actions = read["privileges"][0]["actions"]
    assert "find" in actions and "insert" not in actions
    with pytest.raises(OperationFailure) as e:
        root[db].command("createRole", "read", privileges=[], roles=[])
    assert e.value.code == 2


def test_grant_and_revoke_reach_a_live_connection(authd, root):
    db = unique("shop")
    root[db].c.insert_one({"x": 1})
    name = make_user(root, db, [])
    c = connect(authd, name, "pw", db)
    try:
        with pytest.raises(OperationFailure):
            c[db].c.find_one()
        root[db].command("grantRolesToUser", name, roles=["read"])
        assert c[db].c.find_one()["x"] == 1
        root[db].command("revokeRolesFromUser", name, roles=["read"])
        with pytest.raises(OperationFailure) as e:
            c[db].c.find_one()
        assert e.value.code == 13
        roles = c.admin.command("connectionStatus")["authInfo"]["authenticatedUserRoles"]
        assert roles == []
    finally:
        c.close()


def test_localhost_exception_ends_after_the_first_user():
    d = Ddsd(extra_args=["--auth"]).start()
    try:
        c = connect(d)
        try:
            with pytest.raises(OperationFailure) as e:
                c.test.c.find_one()
            assert e.value.code == 13
            with pytest.raises(OperationFailure) as e:
                c.test.command("createUser", "x", pwd="x", roles=[])
            assert e.value.code == 13
            c.admin.command("createUser", "first", pwd="first-pw", roles=["root"])
            with pytest.raises(OperationFailure) as e:
                c.admin.command("createUser", "second", pwd="x", roles=["root"])
            assert e.value.code == 13
        finally:
            c.close()
        first = connect(d, "first", "first-pw", "admin")
        try:
            first.admin.command("createUser", "second", pwd="x", roles=["root"])
            assert len(first.admin.command("usersInfo", 1)["users"]) == 2
        finally:
            first.close()
    finally:
        d.cleanup()
