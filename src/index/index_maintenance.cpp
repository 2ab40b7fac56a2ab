#include "index/index_maintenance.h"

#include <algorithm>

#include "index/index_access_method.h"
#include "index/index_build_internal.h"
#include "storage/key_string.h"

namespace dds::index {
namespace {

enum class Op { kInsert, kUpdate, kDelete };

Status Maintain(Op op, storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& old_doc,
                const bson::BsonView& new_doc) {
  storage::CollectionPtr current = unit->LockCollectionForWrite(coll.id);
  const storage::CollectionDescriptor& desc = current != nullptr ? *current : coll;
  if (desc.indexes.size() <= 1) return Status::OK();
  std::string ns = desc.ns();
  // Every index's writes are planned (keys generated, unique keys checked and locked) before any
  // is applied: a failure leaves no partial index writes behind.
  std::vector<std::pair<const storage::IndexDescriptor*, IndexWrites>> planned;
  planned.reserve(desc.indexes.size());
  const std::string id_ks = storage::EncodeKeyString(id);  // shared by every index's entries
  for (const storage::IndexDescriptor& index : desc.indexes) {
    if (index.index_id == 0) continue;
    DDS_ASSIGN_OR_RETURN(std::shared_ptr<const IndexAccessMethod> method, GetAccessMethod(index));
    IndexWrites writes;
    switch (op) {
      case Op::kInsert:
        DDS_RETURN_IF_ERROR(method->PlanInsert(unit, ns, new_doc, id, &writes, id_ks));
        break;
      case Op::kUpdate:
        DDS_RETURN_IF_ERROR(method->PlanUpdate(unit, ns, old_doc, new_doc, id, &writes, id_ks));
        break;
      case Op::kDelete:
        DDS_RETURN_IF_ERROR(method->PlanRemove(old_doc, id, &writes, id_ks));
        break;
    }
    planned.emplace_back(&index, std::move(writes));
  }
  for (auto& [index, writes] : planned) {
    DDS_RETURN_IF_ERROR(writes.Apply(unit));
    if (writes.multikey && !index->multikey && unit->catalog() != nullptr) {
      DDS_RETURN_IF_ERROR(unit->catalog()->SetIndexMultikey(desc.id, index->index_id));
    }
  }
  const bool building = std::any_of(desc.indexes.begin(), desc.indexes.end(),
                                    [](const storage::IndexDescriptor& i) { return i.building; });
  if (building && unit->catalog() != nullptr) {
    NoteWriteDuringIndexBuilds(*unit->catalog(), desc.id, id_ks, id);
  }
  return Status::OK();
}

}  // namespace

Status OnInsert(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& doc) {
  return Maintain(Op::kInsert, unit, coll, id, bson::BsonView(), doc);
}

Status OnUpdate(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& old_doc,
                const bson::BsonView& new_doc) {
  return Maintain(Op::kUpdate, unit, coll, id, old_doc, new_doc);
}

Status OnDelete(storage::WriteUnit* unit, const storage::CollectionDescriptor& coll,
                const bson::BsonElement& id, const bson::BsonView& old_doc) {
  return Maintain(Op::kDelete, unit, coll, id, old_doc, bson::BsonView());
}

}  // namespace dds::index
