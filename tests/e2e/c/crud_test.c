/* libmongoc 1.23 end-to-end test against a real ddsd: connect (single-threaded client and pooled
 * client, both of which monitor over OP_QUERY), insert, find with filter/sort/projection, getMore
 * across many batches, update, delete, findAndModify, countDocuments, listCollections, listIndexes,
 * drop, and error codes. Usage: crud_test URI. Prints "ok - ..."/"not ok - ..." lines and a final
 * "N passed, M failed" line; exits non-zero on any failure. */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <string.h>

static int g_passed = 0;
static int g_failed = 0;
static int g_case_failed = 0;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fprintf(stderr, "\n");                                          \
      g_case_failed = 1;                                              \
      return;                                                         \
    }                                                                 \
  } while (0)

#define CHECK_OK(ok, err) CHECK((ok), "error %u.%u: %s", (err).domain, (err).code, (err).message)

static void Run(const char* name, void (*fn)(mongoc_client_t*), mongoc_client_t* client) {
  g_case_failed = 0;
  fn(client);
  if (g_case_failed) {
    printf("not ok - %s\n", name);
    g_failed++;
  } else {
    printf("ok - %s\n", name);
    g_passed++;
  }
  fflush(stdout);
}

static mongoc_collection_t* FreshCollection(mongoc_client_t* client, const char* name) {
  mongoc_collection_t* coll = mongoc_client_get_collection(client, "c_e2e", name);
  bson_error_t error;
  mongoc_collection_drop_with_opts(coll, NULL, &error); /* may not exist */
  return coll;
}

static int64_t Int(const bson_t* doc, const char* path) {
  bson_iter_t it;
  if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
      BSON_ITER_HOLDS_NUMBER(&it)) {
    return bson_iter_as_int64(&it);
  }
  return -999999;
}

static void TestHandshake(mongoc_client_t* client) {
  bson_error_t error;
  bson_t reply;
  bool ok = mongoc_client_command_simple(client, "admin", BCON_NEW("ping", BCON_INT32(1)), NULL,
                                         &reply, &error);
  bson_destroy(&reply);
  CHECK_OK(ok, error);
  ok = mongoc_client_command_simple(client, "admin", BCON_NEW("buildInfo", BCON_INT32(1)), NULL,
                                    &reply, &error);
  CHECK_OK(ok, error);
  bson_iter_t it;
  bool has_version = bson_iter_init_find(&it, &reply, "version") && BSON_ITER_HOLDS_UTF8(&it);
  const char* version = has_version ? bson_iter_utf8(&it, NULL) : "";
  bool is70 = strncmp(version, "7.0.", 4) == 0;
  bson_destroy(&reply);
  CHECK(is70, "buildInfo.version = '%s'", version);
  mongoc_server_description_t* sd = mongoc_client_select_server(client, true, NULL, &error);
  CHECK(sd != NULL, "select server: %s", error.message);
  const char* type = mongoc_server_description_type(sd);
  bool standalone = strcmp(type, "Standalone") == 0;
  mongoc_server_description_destroy(sd);
  CHECK(standalone, "server type %s", type);
}

static void TestInsertFind(mongoc_client_t* client) {
  mongoc_collection_t* coll = FreshCollection(client, "insert_find");
  bson_error_t error;
  bson_t reply;
  bson_t* doc = BCON_NEW("a", BCON_INT32(1), "s", BCON_UTF8("one"));
  bool ok = mongoc_collection_insert_one(coll, doc, NULL, &reply, &error);
  bson_destroy(doc);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "insertedCount") == 1, "insertedCount");
  bson_destroy(&reply);

  bson_t* docs[5];
  int as[5] = {5, 3, 9, 1, 7};
  for (int i = 0; i < 5; i++) {
    docs[i] = BCON_NEW("_id", BCON_INT32(i + 10), "a", BCON_INT32(as[i]), "b", BCON_UTF8(i % 2 ? "odd" : "even"));
  }
  ok = mongoc_collection_insert_many(coll, (const bson_t**)docs, 5, NULL, &reply, &error);
  for (int i = 0; i < 5; i++) bson_destroy(docs[i]);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "insertedCount") == 5, "insertedCount");
  bson_destroy(&reply);

  bson_t* filter = BCON_NEW("a", "{", "$gt", BCON_INT32(2), "}", "b", BCON_UTF8("even"));
  bson_t* opts = BCON_NEW("sort", "{", "a", BCON_INT32(-1), "}", "projection", "{", "a", BCON_INT32(1),
                          "_id", BCON_INT32(0), "}");
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
  const bson_t* got;
  int expect[] = {9, 7, 5};
  int n = 0;
  bool shape_ok = true;
  while (mongoc_cursor_next(cursor, &got)) {
    if (n < 3 && Int(got, "a") != expect[n]) shape_ok = false;
    if (bson_count_keys(got) != 1) shape_ok = false;
    n++;
  }
  ok = !mongoc_cursor_error(cursor, &error);
  mongoc_cursor_destroy(cursor);
  bson_destroy(filter);
  bson_destroy(opts);
  CHECK_OK(ok, error);
  CHECK(n == 3 && shape_ok, "n=%d shape_ok=%d", n, shape_ok);
  mongoc_collection_destroy(coll);
}

static void TestGetMore(mongoc_client_t* client) {
  mongoc_collection_t* coll = FreshCollection(client, "getmore");
  bson_error_t error;
  mongoc_bulk_operation_t* bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
  for (int i = 0; i < 1000; i++) {
    bson_t* d = BCON_NEW("_id", BCON_INT32(i), "pad", BCON_UTF8("0123456789012345678901234567890123456789"));
    mongoc_bulk_operation_insert(bulk, d);
    bson_destroy(d);
  }
  bson_t reply;
  bool ok = mongoc_bulk_operation_execute(bulk, &reply, &error) != 0;
  int64_t inserted = Int(&reply, "nInserted");
  bson_destroy(&reply);
  mongoc_bulk_operation_destroy(bulk);
  CHECK_OK(ok, error);
  CHECK(inserted == 1000, "nInserted=%lld", (long long)inserted);

  bson_t* opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "batchSize", BCON_INT32(10));
  bson_t empty = BSON_INITIALIZER;
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll, &empty, opts, NULL);
  const bson_t* got;
  int n = 0;
  bool ordered = true;
  while (mongoc_cursor_next(cursor, &got)) {
    if (Int(got, "_id") != n) ordered = false;
    n++;
  }
  ok = !mongoc_cursor_error(cursor, &error);
  mongoc_cursor_destroy(cursor);
  bson_destroy(opts);
  CHECK_OK(ok, error);
  CHECK(n == 1000 && ordered, "n=%d ordered=%d", n, ordered);
  mongoc_collection_destroy(coll);
}

static void TestUpdateDelete(mongoc_client_t* client) {
  mongoc_collection_t* coll = FreshCollection(client, "update_delete");
  bson_error_t error;
  bson_t reply;
  for (int i = 0; i < 10; i++) {
    bson_t* d = BCON_NEW("_id", BCON_INT32(i), "g", BCON_INT32(i % 2), "n", BCON_INT32(0));
    bool ok = mongoc_collection_insert_one(coll, d, NULL, NULL, &error);
    bson_destroy(d);
    CHECK_OK(ok, error);
  }
  bson_t* q = BCON_NEW("_id", BCON_INT32(3));
  bson_t* u = BCON_NEW("$set", "{", "s", BCON_UTF8("x"), "}", "$inc", "{", "n", BCON_INT32(5), "}");
  bool ok = mongoc_collection_update_one(coll, q, u, NULL, &reply, &error);
  bson_destroy(q);
  bson_destroy(u);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "matchedCount") == 1 && Int(&reply, "modifiedCount") == 1, "update_one counts");
  bson_destroy(&reply);

  q = BCON_NEW("g", BCON_INT32(0));
  u = BCON_NEW("$inc", "{", "n", BCON_INT32(1), "}");
  ok = mongoc_collection_update_many(coll, q, u, NULL, &reply, &error);
  bson_destroy(q);
  bson_destroy(u);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "modifiedCount") == 5, "update_many modified %lld", (long long)Int(&reply, "modifiedCount"));
  bson_destroy(&reply);

  q = BCON_NEW("_id", BCON_INT32(4));
  u = BCON_NEW("replaced", BCON_BOOL(true));
  ok = mongoc_collection_replace_one(coll, q, u, NULL, &reply, &error);
  bson_destroy(q);
  bson_destroy(u);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "modifiedCount") == 1, "replace_one");
  bson_destroy(&reply);

  q = BCON_NEW("_id", BCON_INT32(100));
  u = BCON_NEW("$set", "{", "up", BCON_BOOL(true), "}");
  bson_t* uopts = BCON_NEW("upsert", BCON_BOOL(true));
  ok = mongoc_collection_update_one(coll, q, u, uopts, &reply, &error);
  bson_destroy(q);
  bson_destroy(u);
  bson_destroy(uopts);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "upsertedCount") == 1 && Int(&reply, "upsertedId") == 100, "upsert");
  bson_destroy(&reply);

  q = BCON_NEW("g", BCON_INT32(1));
  ok = mongoc_collection_delete_one(coll, q, NULL, &reply, &error);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "deletedCount") == 1, "delete_one");
  bson_destroy(&reply);
  ok = mongoc_collection_delete_many(coll, q, NULL, &reply, &error);
  bson_destroy(q);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "deletedCount") == 4, "delete_many deleted %lld", (long long)Int(&reply, "deletedCount"));
  bson_destroy(&reply);

  bson_t empty = BSON_INITIALIZER;
  int64_t count = mongoc_collection_count_documents(coll, &empty, NULL, NULL, NULL, &error);
  CHECK(count == 6, "count_documents=%lld (%s)", (long long)count, error.message);
  /* Left: _id 0,2,6,8 (n=1), 4 (replaced, no n), 100 (upserted). */
  q = BCON_NEW("n", "{", "$gte", BCON_INT32(1), "}");
  count = mongoc_collection_count_documents(coll, q, NULL, NULL, NULL, &error);
  bson_destroy(q);
  CHECK(count == 4, "count_documents(n>=1)=%lld (%s)", (long long)count, error.message);
  mongoc_collection_destroy(coll);
}

static void TestFindAndModify(mongoc_client_t* client) {
  mongoc_collection_t* coll = FreshCollection(client, "fam");
  bson_error_t error;
  bson_t* d = BCON_NEW("_id", BCON_UTF8("k"), "n", BCON_INT32(1));
  bool ok = mongoc_collection_insert_one(coll, d, NULL, NULL, &error);
  bson_destroy(d);
  CHECK_OK(ok, error);

  mongoc_find_and_modify_opts_t* opts = mongoc_find_and_modify_opts_new();
  bson_t* u = BCON_NEW("$inc", "{", "n", BCON_INT32(41), "}");
  mongoc_find_and_modify_opts_set_update(opts, u);
  mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
  bson_t* q = BCON_NEW("_id", BCON_UTF8("k"));
  bson_t reply;
  ok = mongoc_collection_find_and_modify_with_opts(coll, q, opts, &reply, &error);
  bson_destroy(u);
  mongoc_find_and_modify_opts_destroy(opts);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "value.n") == 42, "value.n=%lld", (long long)Int(&reply, "value.n"));
  bson_destroy(&reply);

  opts = mongoc_find_and_modify_opts_new();
  mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_REMOVE);
  ok = mongoc_collection_find_and_modify_with_opts(coll, q, opts, &reply, &error);
  mongoc_find_and_modify_opts_destroy(opts);
  bson_destroy(q);
  CHECK_OK(ok, error);
  CHECK(Int(&reply, "value.n") == 42 && Int(&reply, "lastErrorObject.n") == 1, "remove");
  bson_destroy(&reply);
  bson_t empty = BSON_INITIALIZER;
  int64_t count = mongoc_collection_count_documents(coll, &empty, NULL, NULL, NULL, &error);
  CHECK(count == 0, "count after remove = %lld", (long long)count);
  mongoc_collection_destroy(coll);
}

static bool HasName(char** names, const char* name) {
  for (char** p = names; p && *p; p++) {
    if (strcmp(*p, name) == 0) return true;
  }
  return false;
}

static void TestCollections(mongoc_client_t* client) {
  mongoc_database_t* db = mongoc_client_get_database(client, "c_e2e_coll");
  bson_error_t error;
  mongoc_database_drop_with_opts(db, NULL, &error);
  mongoc_collection_t* made = mongoc_database_create_collection(db, "made", NULL, &error);
  CHECK(made != NULL, "create_collection: %s", error.message);
  mongoc_collection_t* other = mongoc_database_get_collection(db, "other");
  bson_t* d = BCON_NEW("x", BCON_INT32(1));
  bool ok = mongoc_collection_insert_one(other, d, NULL, NULL, &error);
  bson_destroy(d);
  CHECK_OK(ok, error);

  char** names = mongoc_database_get_collection_names_with_opts(db, NULL, &error);
  CHECK(names != NULL, "listCollections: %s", error.message);
  bool both = HasName(names, "made") && HasName(names, "other");
  bson_strfreev(names);
  CHECK(both, "listCollections lacks made/other");

  mongoc_cursor_t* idx = mongoc_collection_find_indexes_with_opts(other, NULL);
  const bson_t* spec;
  int n_idx = 0;
  bool id_index = false;
  while (mongoc_cursor_next(idx, &spec)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, spec, "name") && strcmp(bson_iter_utf8(&it, NULL), "_id_") == 0) id_index = true;
    n_idx++;
  }
  ok = !mongoc_cursor_error(idx, &error);
  mongoc_cursor_destroy(idx);
  CHECK_OK(ok, error);
  CHECK(n_idx == 1 && id_index, "listIndexes: %d indexes", n_idx);

  ok = mongoc_collection_drop_with_opts(made, NULL, &error);
  CHECK_OK(ok, error);
  names = mongoc_database_get_collection_names_with_opts(db, NULL, &error);
  CHECK(names != NULL, "listCollections: %s", error.message);
  bool dropped = !HasName(names, "made") && HasName(names, "other");
  bson_strfreev(names);
  CHECK(dropped, "drop did not remove 'made'");

  names = mongoc_client_get_database_names_with_opts(client, NULL, &error);
  CHECK(names != NULL, "listDatabases: %s", error.message);
  bool listed = HasName(names, "c_e2e_coll");
  bson_strfreev(names);
  CHECK(listed, "listDatabases lacks c_e2e_coll");
  ok = mongoc_database_drop_with_opts(db, NULL, &error);
  CHECK_OK(ok, error);
  mongoc_collection_destroy(made);
  mongoc_collection_destroy(other);
  mongoc_database_destroy(db);
}

static void TestErrors(mongoc_client_t* client) {
  mongoc_collection_t* coll = FreshCollection(client, "errors");
  bson_error_t error;
  bson_t* d = BCON_NEW("_id", BCON_INT32(1));
  bool ok = mongoc_collection_insert_one(coll, d, NULL, NULL, &error);
  CHECK_OK(ok, error);
  bson_t reply;
  ok = mongoc_collection_insert_one(coll, d, NULL, &reply, &error);
  bson_destroy(d);
  bson_destroy(&reply);
  CHECK(!ok && error.code == 11000, "duplicate insert: ok=%d code=%u", ok, error.code);

  ok = mongoc_client_command_simple(client, "c_e2e", BCON_NEW("noSuchCommand", BCON_INT32(1)), NULL, &reply, &error);
  bson_destroy(&reply);
  CHECK(!ok && error.code == 59, "unknown command: ok=%d code=%u", ok, error.code);
  mongoc_collection_destroy(coll);
}

static void RunAll(mongoc_client_t* client, const char* label) {
  char name[128];
#define RUN(fn) snprintf(name, sizeof name, "%s: %s", label, #fn), Run(name, fn, client)
  RUN(TestHandshake);
  RUN(TestInsertFind);
  RUN(TestGetMore);
  RUN(TestUpdateDelete);
  RUN(TestFindAndModify);
  RUN(TestCollections);
  RUN(TestErrors);
#undef RUN
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s URI\n", argv[0]);
    return 2;
  }
  mongoc_init();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(argv[1], &error);
  if (!uri) {
    fprintf(stderr, "bad URI: %s\n", error.message);
    return 2;
  }

  mongoc_client_t* single = mongoc_client_new_from_uri(uri);
  mongoc_client_set_error_api(single, MONGOC_ERROR_API_VERSION_2);
  RunAll(single, "single");
  mongoc_client_destroy(single);

  /* The pooled client monitors from a background thread with OP_QUERY hello heartbeats. */
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_t* pooled = mongoc_client_pool_pop(pool);
  RunAll(pooled, "pooled");
  mongoc_client_pool_push(pool, pooled);
  mongoc_client_pool_destroy(pool);

  mongoc_uri_destroy(uri);
  mongoc_cleanup();
  printf("libmongoc: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
