#include "agg/pipeline.h"

#include "agg/stage.h"

namespace dds::agg {
namespace {

class VectorSource : public DocumentSource {
 public:
  explicit VectorSource(std::vector<bson::BsonDocument> docs) : docs_(std::move(docs)) {}
  std::optional<bson::BsonDocument> GetNext() override {
    if (pos_ >= docs_.size()) return std::nullopt;
    return std::move(docs_[pos_++]);
  }

 private:
  std::vector<bson::BsonDocument> docs_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<DocumentSource> MakeVectorSource(std::vector<bson::BsonDocument> docs) {
  return std::make_unique<VectorSource>(std::move(docs));
}

Pipeline::Pipeline() = default;
Pipeline::~Pipeline() = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;
Pipeline::Pipeline(const Pipeline&) = default;
Pipeline& Pipeline::operator=(const Pipeline&) = default;

StatusWith<Pipeline> Pipeline::Parse(const bson::BsonView& stages, const ExpressionContext& ctx) {
  Pipeline p;
  p.let_vars_ = std::make_shared<const bson::BsonDocument>(ctx.let_vars);
  StageParseContext pctx{ctx, p.let_vars_->view(), 0};
  try {
    DDS_ASSIGN_OR_RETURN(std::vector<StagePtr> parsed, ParseStages(stages, pctx));
    p.stages_ = std::move(parsed);
  } catch (const DbException& ex) {
    return ex.status();
  }
  return p;
}

std::optional<bson::BsonDocument> Pipeline::LeadingMatch() const {
  if (stages_.empty()) return std::nullopt;
  const bson::BsonDocument* f = stages_[0]->match_filter();
  if (f == nullptr) return std::nullopt;
  return *f;
}

std::optional<bson::BsonDocument> Pipeline::LeadingSort() const {
  size_t i = !stages_.empty() && stages_[0]->match_filter() != nullptr ? 1 : 0;
  if (i >= stages_.size()) return std::nullopt;
  const bson::BsonDocument* s = stages_[i]->sort_spec();
  if (s == nullptr) return std::nullopt;
  return *s;
}

std::unique_ptr<DocumentSource> Pipeline::Bind(std::unique_ptr<DocumentSource> input,
                                               bool skip_leading_match,
                                               bool skip_leading_sort) const {
  std::unique_ptr<DocumentSource> chain = std::move(input);
  size_t sort_index = !stages_.empty() && stages_[0]->match_filter() != nullptr ? 1 : 0;
  for (size_t i = 0; i < stages_.size(); ++i) {
    if (i == 0 && skip_leading_match && stages_[0]->match_filter() != nullptr) continue;
    if (i == sort_index && skip_leading_sort && stages_[i]->sort_spec() != nullptr) continue;
    chain = stages_[i]->Bind(std::move(chain));
  }
  return chain;
}

std::vector<std::string> Pipeline::StageNames() const {
  std::vector<std::string> names;
  for (const auto& s : stages_) names.emplace_back(s->name());
  return names;
}

}  // namespace dds::agg
