// Parse functions of the update operators, referenced by update/update_operator_table.cpp.
#pragma once

#include "update/modifier.h"

namespace dds::update {

#define DDS_UPDATE_PARSERS(X)                                                                    \
  X(AddToSet) X(Bit) X(CurrentDate) X(Inc) X(Max) X(Min) X(Mul) X(Pop) X(Pull) X(PullAll)        \
  X(Push) X(Rename) X(Set) X(SetOnInsert) X(Unset)

#define DDS_DECLARE_UPDATE_PARSER(Name) \
  StatusWith<ModifierPtr> Parse##Name(const bson::BsonElement& field, const ModifierParseContext& ctx);
DDS_UPDATE_PARSERS(DDS_DECLARE_UPDATE_PARSER)
#undef DDS_DECLARE_UPDATE_PARSER

// $rename is applied by the driver (it touches two paths); its Modifier carries the target.
class RenameModifier : public Modifier {
 public:
  explicit RenameModifier(std::string to) : to_(std::move(to)) {}
  const std::string& to() const { return to_; }
  bool creates_path() const override { return false; }
  bool scalar_on_path_is_noop() const override { return true; }
  Status Apply(MNode*, std::string_view, const ModifierApplyContext&) const override { return Status::OK(); }

 private:
  std::string to_;
};

}  // namespace dds::update
