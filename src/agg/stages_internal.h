// Parse functions of the pipeline stages, referenced by agg/stage_table.cpp.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "agg/expression.h"
#include "agg/stage.h"

namespace dds::query {
class SortPattern;
}  // namespace dds::query

namespace dds::agg {

#define DDS_STAGE_PARSERS(X)                                                                    \
  X(AddFields) X(Count) X(Facet) X(Group) X(Limit) X(Match) X(Project) X(ReplaceRoot)           \
  X(ReplaceWith) X(Sample) X(Skip) X(Sort) X(SortByCount) X(Unset) X(Unwind) X(ChangeStream)    \
  X(NeedsStorage) X(Stats) X(Unsupported) X(Lookup) X(UnionWith) X(Bucket) X(Documents) X(Redact) X(SetWindowFields) X(GraphLookup) X(BucketAuto) X(Fill)

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

// A stage whose Bind is `fn(input)`: a stage needs no class of its own when it only binds a
// source over its parsed spec.
template <typename BindFn>
class SimpleStage : public StageSpec {
 public:
  SimpleStage(std::string_view name, BindFn fn) : name_(name), fn_(std::move(fn)) {}
  std::string_view name() const override { return name_; }
  std::unique_ptr<DocumentSource> Bind(std::unique_ptr<DocumentSource> input) const override {
    return fn_(std::move(input));
  }

 private:
  std::string_view name_;
  BindFn fn_;
};

template <typename BindFn>
StagePtr MakeStage(std::string_view name, BindFn fn) {
  return std::make_shared<SimpleStage<BindFn>>(name, std::move(fn));
}

// Stable sort by `pattern` ($sort's order; ties keep their input order).
std::vector<bson::BsonDocument> SortDocuments(const query::SortPattern& pattern,
                                              std::vector<bson::BsonDocument> docs);

// Sorts `docs` by `sort_by` (when given), then splits them by the value of `partition_by`
// (evaluated with `let_vars` bound; missing counts as null) in order of each partition's first
// document: what $setWindowFields and $fill do before they compute. No `partition_by`: one
// partition.
std::vector<std::vector<bson::BsonDocument>> SortAndPartition(
    std::vector<bson::BsonDocument> docs, const query::SortPattern* sort_by,
    const ExprPtr& partition_by, const bson::BsonView& let_vars);

}  // namespace dds::agg
