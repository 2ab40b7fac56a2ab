// What index maintenance tells the index builds running alongside writers (index layer only).
#pragma once

#include <cstdint>
#include <string_view>

#include "bson/bson.h"
#include "storage/catalog.h"

namespace dds::index {

// Notes that the document `id` (KeyString `id_ks`) of collection `collection_id` is being
// written while one of its indexes is building: a build that lets writers go on derives that
// document's entries again before it completes. Cheap when no such build runs. Thread-safe.
void NoteWriteDuringIndexBuilds(const storage::Catalog& catalog, uint64_t collection_id,
                                std::string_view id_ks, const bson::BsonElement& id);

}  // namespace dds::index
