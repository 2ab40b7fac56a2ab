/* libmongoc 1.23 authentication test against a real ddsd started with --auth and the users of
 * tests/e2e/c/auth.sh (root/root-Pwd1 with both mechanisms, sha1only/sha1-Pwd with SCRAM-SHA-1
 * only, uni with a non-ASCII password and SCRAM-SHA-256 only): SCRAM-SHA-256 and SCRAM-SHA-1 on a
 * single-threaded and a pooled client (libmongoc authenticates speculatively in its handshake),
 * mechanism negotiation, SASLprep, a wrong password, and an unauthenticated command (13).
 * Usage: auth_test PORT. Prints "ok - ..."/"not ok - ..." lines and "N passed, M failed". */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <string.h>

static int g_passed = 0;
static int g_failed = 0;
static int g_case_failed = 0;
static const char* g_port = NULL;

#define CHECK(cond, ...)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                               \
      fprintf(stderr, "\n");                                                      \
      g_case_failed = 1;                                                          \
      return;                                                                     \
    }                                                                             \
  } while (0)

#define CHECK_OK(ok, err) CHECK((ok), "error %u.%u: %s", (err).domain, (err).code, (err).message)

static void Report(const char* name) {
  if (g_case_failed) {
    printf("not ok - %s\n", name);
    g_failed++;
  } else {
    printf("ok - %s\n", name);
    g_passed++;
  }
  g_case_failed = 0;
  fflush(stdout);
}

/* "mongodb://USER:PWD@127.0.0.1:PORT/?authSource=admin&serverSelectionTimeoutMS=5000EXTRA" */
static mongoc_uri_t* Uri(const char* userinfo, const char* extra) {
  char text[512];
  snprintf(text, sizeof text,
           "mongodb://%s%s127.0.0.1:%s/?appname=dds-e2e-c-auth&serverSelectionTimeoutMS=5000%s%s",
           userinfo ? userinfo : "", userinfo ? "@" : "", g_port,
           userinfo ? "&authSource=admin" : "", extra ? extra : "");
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(text, &error);
  if (uri == NULL) fprintf(stderr, "bad URI %s: %s\n", text, error.message);
  return uri;
}

static mongoc_client_t* Client(const char* userinfo, const char* extra) {
  mongoc_uri_t* uri = Uri(userinfo, extra);
  if (uri == NULL) return NULL;
  mongoc_client_t* client = mongoc_client_new_from_uri(uri);
  mongoc_uri_destroy(uri);
  if (client) mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
  return client;
}

/* ping, insert one document into app.c_auth and read it back. */
static void CheckWorks(mongoc_client_t* client, const char* tag) {
  bson_error_t error;
  CHECK(client != NULL, "no client");
  bool ok = mongoc_client_command_simple(client, "admin", BCON_NEW("ping", BCON_INT32(1)), NULL,
                                         NULL, &error);
  CHECK_OK(ok, error);
  mongoc_collection_t* coll = mongoc_client_get_collection(client, "app", "c_auth");
  bson_t* doc = BCON_NEW("tag", BCON_UTF8(tag));
  ok = mongoc_collection_insert_one(coll, doc, NULL, NULL, &error);
  bson_destroy(doc);
  if (ok) {
    bson_t* filter = BCON_NEW("tag", BCON_UTF8(tag));
    int64_t n = mongoc_collection_count_documents(coll, filter, NULL, NULL, NULL, &error);
    bson_destroy(filter);
    ok = n >= 1;
  }
  mongoc_collection_destroy(coll);
  CHECK_OK(ok, error);
}

static void CheckConnectionStatusUser(mongoc_client_t* client, const char* user) {
  bson_error_t error;
  bson_t reply;
  bool ok = mongoc_client_command_simple(client, "admin", BCON_NEW("connectionStatus", BCON_INT32(1)),
                                         NULL, &reply, &error);
  CHECK_OK(ok, error);
  bson_iter_t it;
  bool found = bson_iter_init(&it, &reply) &&
               bson_iter_find_descendant(&it, "authInfo.authenticatedUsers.0.user", &it) &&
               BSON_ITER_HOLDS_UTF8(&it) && strcmp(bson_iter_utf8(&it, NULL), user) == 0;
  char* json = bson_as_relaxed_extended_json(&reply, NULL);
  bson_destroy(&reply);
  if (!found) fprintf(stderr, "  connectionStatus: %s\n", json);
  bson_free(json);
  CHECK(found, "user %s not authenticated", user);
}

static void TestMechanism(const char* mechanism) {
  char extra[64];
  snprintf(extra, sizeof extra, "&authMechanism=%s", mechanism);
  mongoc_client_t* client = Client("root:root-Pwd1", extra);
  CheckWorks(client, mechanism);
  if (!g_case_failed) CheckConnectionStatusUser(client, "root");
  if (client) mongoc_client_destroy(client);
}

static void TestPooled(void) {
  mongoc_uri_t* uri = Uri("root:root-Pwd1", "&authMechanism=SCRAM-SHA-256");
  CHECK(uri != NULL, "uri");
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_uri_destroy(uri);
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_t* a = mongoc_client_pool_pop(pool);
  mongoc_client_t* b = mongoc_client_pool_pop(pool);
  CheckWorks(a, "pooled-a");
  if (!g_case_failed) CheckWorks(b, "pooled-b");
  mongoc_client_pool_push(pool, a);
  mongoc_client_pool_push(pool, b);
  mongoc_client_pool_destroy(pool);
}

static void TestNegotiated(void) {
  /* No authMechanism: libmongoc asks saslSupportedMechs in its handshake. */
  mongoc_client_t* client = Client("sha1only:sha1-Pwd", NULL);
  CheckWorks(client, "negotiated-sha1");
  if (client) mongoc_client_destroy(client);
  if (g_case_failed) return;
  client = Client("root:root-Pwd1", NULL);
  CheckWorks(client, "negotiated-root");
  if (client) mongoc_client_destroy(client);
}

static void TestSaslPrep(void) {
  /* "p\u00e4ss\u00adw\u00f6rd": SASLprep drops the soft hyphen, so both spellings work. */
  mongoc_client_t* client = Client("uni:p%C3%A4ss%C2%ADw%C3%B6rd", "&authMechanism=SCRAM-SHA-256");
  CheckWorks(client, "saslprep-1");
  if (client) mongoc_client_destroy(client);
  if (g_case_failed) return;
  client = Client("uni:p%C3%A4ssw%C3%B6rd", "&authMechanism=SCRAM-SHA-256");
  CheckWorks(client, "saslprep-2");
  if (client) mongoc_client_destroy(client);
}

static void ExpectAuthFailure(const char* userinfo, const char* extra) {
  mongoc_client_t* client = Client(userinfo, extra);
  CHECK(client != NULL, "no client");
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, "admin", BCON_NEW("ping", BCON_INT32(1)), NULL,
                                         NULL, &error);
  mongoc_client_destroy(client);
  CHECK(!ok, "%s authenticated", userinfo);
  /* libmongoc reports the server's AuthenticationFailed as a client authenticate error. */
  CHECK(error.domain == MONGOC_ERROR_CLIENT && error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE,
        "error %u.%u: %s", error.domain, error.code, error.message);
  CHECK(strstr(error.message, "Authentication failed") != NULL, "message: %s", error.message);
}

static void TestWrongCredentials(void) {
  ExpectAuthFailure("root:wrong", "&authMechanism=SCRAM-SHA-256");
  if (g_case_failed) return;
  ExpectAuthFailure("root:wrong", "&authMechanism=SCRAM-SHA-1");
  if (g_case_failed) return;
  ExpectAuthFailure("sha1only:sha1-Pwd", "&authMechanism=SCRAM-SHA-256");
}

static void TestUnauthenticated(void) {
  mongoc_client_t* client = Client(NULL, NULL);
  CHECK(client != NULL, "no client");
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, "admin", BCON_NEW("ping", BCON_INT32(1)), NULL,
                                         NULL, &error);
  if (ok) {
    mongoc_collection_t* coll = mongoc_client_get_collection(client, "app", "c_auth");
    bson_t* filter = bson_new();
    int64_t n = mongoc_collection_count_documents(coll, filter, NULL, NULL, NULL, &error);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    mongoc_client_destroy(client);
    CHECK(n < 0, "unauthenticated count answered %lld", (long long)n);
    CHECK(error.domain == MONGOC_ERROR_SERVER && error.code == 13, "error %u.%u: %s", error.domain,
          error.code, error.message);
    return;
  }
  mongoc_client_destroy(client);
  CHECK_OK(ok, error);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: auth_test PORT\n");
    return 2;
  }
  g_port = argv[1];
  mongoc_init();
  TestMechanism("SCRAM-SHA-256");
  Report("SCRAM-SHA-256: ping, insert, count, connectionStatus");
  TestMechanism("SCRAM-SHA-1");
  Report("SCRAM-SHA-1: ping, insert, count, connectionStatus");
  TestPooled();
  Report("pooled client authenticates each connection");
  TestNegotiated();
  Report("mechanism negotiated from saslSupportedMechs");
  TestSaslPrep();
  Report("SASLprep of a non-ASCII password (SCRAM-SHA-256)");
  TestWrongCredentials();
  Report("wrong password / mechanism the user lacks: Authentication failed");
  TestUnauthenticated();
  Report("unauthenticated: ping answers, count is refused with 13");
  mongoc_cleanup();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
