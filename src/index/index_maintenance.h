// Index maintenance for record writes: every insert, update and delete of a document calls one
// of these inside the same WriteUnit as the record write, so records and index entries commit
// atomically (and unique violations roll the statement back).
//
// Each call first takes the collection's write lock shared through the unit
// (WriteUnit::LockCollectionForWrite, held until commit), then maintains every secondary index of
// the collection's *current* descriptor, including indexes still building, and notes the
// document for the builds that let writers go on (index_build.h): the lock is what makes an index
// build safe against concurrent writers, since the build holds it exclusively while it adds its
// indexes and while it finishes. When a document first makes an index multikey, the flag is set
// in the catalog before the write commits.
//
// Stateless functions; thread-safe.
#pragma once

#include "bson/bson.h"
#include "common/status.h"
#include "storage/catalog.h"
#include "storage/record_store.h"

namespace dds::index {

// Adds the index entries of a newly inserted document.
Status OnInsert(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& doc);
// Moves the index entries of a document from `old_doc` to `new_doc` (only changed keys).
Status OnUpdate(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& old_doc,
                const bson::BsonView& new_doc);
// Removes the index entries of a deleted document.
Status OnDelete(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& old_doc);

}  // namespace dds::index
