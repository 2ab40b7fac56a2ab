// Index builds over existing data, and index drops.
//
// Concurrency choice: builds of non-unique indexes let the collection's writers go on (mongod's
// hybrid builds in spirit). The build holds the collection's write lock
// (Catalog::CollectionWriteLock) exclusively only while it adds the indexes to the catalog as
// `building` and takes its snapshot, and again from the end of its scan to its commit. In between
// it scans the snapshot, sorts the keys in memory chunks (64 MB) and writes them in key order as
// plain write batches, while writers (who take the lock shared, see index_maintenance.h) maintain
// the building indexes like any other and note the documents they write. The scan may write a
// snapshot version's entries after a writer removed them, so the build then derives the entries
// of every noted document again from its current version, under the document's record lock: a
// few passes while writers go on, the last one holding the collection (past ~1M noted documents
// it starts over holding the collection instead). Unique builds hold the
// lock for their whole duration: a writer's tuple-keyed entry and a scanned document's could
// overwrite each other and hide a duplicate. reIndex and unique conversions hold it too. Readers
// never wait (they read snapshots and the planner ignores indexes marked `building`), and other
// collections are untouched.
//
// Aborts: a drop of the collection, of its database or of the indexes being built aborts the
// build instead of waiting for it (AbortIndexBuilds, AbortIndexBuildOf): the build stops at its
// next killOp check (or before it commits), removes what it added and answers IndexBuildAborted
// (276), as mongod's builds do since 4.4.
//
// Crash safety: the catalog entry is added with `building: true` before any entry is written and
// flipped to ready after the last chunk commits; at open, the catalog drops indexes still marked
// building and deletes their entries, so a crash leaves either no index or a complete one.
// A unique violation (11000) or a key generation error (171, 16766) removes the new indexes and
// their entries before returning: nothing is left behind.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bson/bson.h"
#include "common/status.h"
#include "storage/engine.h"

namespace dds::index {

struct IndexBuildOptions {
  // Bytes of sorted keys buffered before a chunk is written. Default: 64 MB.
  size_t chunk_bytes = 64 << 20;
  // Test hook: called after each chunk commits (return false to simulate a crash: the build
  // stops and leaves the index marked building). Default: none.
  bool (*after_chunk_for_test)(int chunk) = nullptr;
};

// Adds and builds the indexes `specs` ({v, key, name, ...}, already validated, names not in use)
// on the existing collection db.coll. NamespaceNotFound (26) if it is missing.
Status BuildIndexes(storage::Engine& engine, std::string_view db, std::string_view coll,
                    const std::vector<bson::BsonDocument>& specs,
                    const IndexBuildOptions& options = {});

// reIndex: rebuilds every secondary index of db.coll from its documents, under new index ids,
// while holding the collection's write lock exclusively; when all are complete they replace the
// old ones in one catalog write, so a crash leaves either the old indexes or the new ones (the
// unfinished rebuilds are dropped at the next open). Unique indexes come back tuple-keyed
// (storage::IndexDescriptor::tuple_keys). Returns the specs of every index afterwards, _id_
// first. NamespaceNotFound (26) if the collection is missing.
StatusWith<std::vector<bson::BsonDocument>> RebuildIndexes(storage::Engine& engine,
                                                           std::string_view db,
                                                           std::string_view coll,
                                                           const IndexBuildOptions& options = {});

// Whether `name` is that of an index being rebuilt by RebuildIndexes or a unique conversion (a
// building copy that replaces its original when complete): commands leave these copies out of
// what they show (listIndexes, collStats, $indexStats, validate).
bool IsRebuildName(std::string_view name);

// Replaces the spec of index `name` of db.coll by `spec` (collMod) while holding the collection's
// write lock exclusively: in-flight writers finish first, later ones use the new spec (so after
// prepareUnique: true no new duplicate can slip in). With `to_unique` the entries are first checked
// for duplicate key tuples: CannotConvertIndexToUnique (359) with `violations: [{ids: [...]}, ...]`
// (one group per duplicated tuple, _ids in key order) if any. With `dry_run` nothing is changed.
Status ModifyIndexSpec(storage::Engine& engine, std::string_view db, std::string_view coll,
                       std::string_view name, const bson::BsonView& spec, bool to_unique,
                       bool dry_run);

// Waits until no index build on the collection `collection_id` of `engine` builds an index
// named in `names` (a createIndexes asking for an index being built joins that build, as
// mongod's does). Returns the waiting operation's interrupt reason if killOp stops the wait.
Status WaitForIndexBuilds(storage::Engine& engine, uint64_t collection_id,
                          const std::vector<std::string>& names);

// Aborts every index build (createIndexes, reIndex, a unique conversion) running on the
// collection `collection_id` of `engine` and waits until they have ended. Each answers
// IndexBuildAborted (276) "Index build aborted: <reason>". Returns how many were aborted.
size_t AbortIndexBuilds(storage::Engine& engine, uint64_t collection_id,
                        std::string_view reason);

// Aborts the one index build on the collection whose indexes are exactly `names` (in any order)
// and waits until it has ended: mongod's dropIndexes rule, which never aborts part of a build.
// Returns whether there was such a build.
bool AbortIndexBuildOf(storage::Engine& engine, uint64_t collection_id,
                       const std::vector<std::string>& names, std::string_view reason);

// Drops the index `name` of db.coll after in-flight writers of the collection finish (same errors
// as Catalog::RemoveIndex).
Status DropIndex(storage::Engine& engine, std::string_view db, std::string_view coll,
                 std::string_view name);

}  // namespace dds::index
