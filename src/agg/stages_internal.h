// Parse functions of the pipeline stages, referenced by agg/stage_table.cpp.
#pragma once

#include "agg/stage.h"

namespace dds::agg {

#define DDS_STAGE_PARSERS(X)                                                                    \
  X(AddFields) X(Count) X(Facet) X(Group) X(Limit) X(Match) X(Project) X(ReplaceRoot)           \
  X(ReplaceWith) X(Sample) X(Skip) X(Sort) X(SortByCount) X(Unset) X(Unwind) X(ChangeStream)    \
  X(NeedsStorage) X(Unsupported) X(Lookup) X(UnionWith) X(Bucket) X(Documents) X(Redact) X(SetWindowFields) X(GraphLookup) X(BucketAuto) X(Fill)

#define DDS_DECLARE_STAGE_PARSER(Name) \
  StatusWith<StagePtr> Parse##Name##Stage(const bson::BsonElement& spec, const StageParseContext& ctx);
DDS_STAGE_PARSERS(DDS_DECLARE_STAGE_PARSER)
#undef DDS_DECLARE_STAGE_PARSER

// A DocumentSource applying `fn` to every input document (nullopt drops the document).
template <typename Fn>
class MapSource : public DocumentSource {
 public:
  MapSource(std::unique_ptr<DocumentSource> input, Fn fn) : input_(std::move(input)), fn_(std::move(fn)) {}
  std::optional<bson::BsonDocument> GetNext() override {
    while (true) {
      std::optional<bson::BsonDocument> d = input_->GetNext();
      if (!d) return std::nullopt;
      std::optional<bson::BsonDocument> out = fn_(std::move(*d));
      if (out) return out;
    }
  }

 private:
  std::unique_ptr<DocumentSource> input_;
  Fn fn_;
};

template <typename Fn>
std::unique_ptr<DocumentSource> MakeMapSource(std::unique_ptr<DocumentSource> input, Fn fn) {
  return std::make_unique<MapSource<Fn>>(std::move(input), std::move(fn));
}

}  // namespace dds::agg
