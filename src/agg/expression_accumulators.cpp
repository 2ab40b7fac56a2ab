// $sum $avg $min $max $stdDevPop $stdDevSamp as expressions ($project, $addFields, $expr, let...):
// the accumulator of the same name folded over the operand. A single argument that evaluates to
// an array folds its elements; several arguments fold the arguments themselves (an array among
// them is one non-numeric value), exactly as mongod's ExpressionFromAccumulator does.
#include <memory>
#include <vector>

#include "agg/accumulator.h"
#include "agg/expression_internal.h"
#include "agg/expression_ops.h"

namespace dds::agg {
namespace {

class AccumulatorExpression : public Expression {
 public:
  AccumulatorExpression(AccumulatorFactory make, std::vector<ExprPtr> args)
      : make_(make), args_(std::move(args)) {}

  Value Evaluate(Variables* vars) const override {
    std::unique_ptr<Accumulator> acc = make_(bson::BsonElement());
    if (args_.size() == 1) {
      Value v = args_[0]->Evaluate(vars);
      if (v.IsArray()) {
        for (const Value& item : v.ArrayItems()) acc->Process(item);
      } else {
        acc->Process(v);
      }
    } else {
      for (const ExprPtr& a : args_) acc->Process(a->Evaluate(vars));
    }
    return acc->Finalize();
  }

 private:
  AccumulatorFactory make_;
  std::vector<ExprPtr> args_;
};

StatusWith<ExprPtr> ParseAccumulatorExpression(std::string_view name, const bson::BsonElement& o,
                                               ParseScope* s) {
  const AccumulatorEntry* entry = FindAccumulator(name);
  if (entry == nullptr) return Status(ErrorCode::kInvalidPipelineOperator, "Unrecognized expression '" + std::string(name) + "'");
  DDS_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArguments(o, s));
  return ExprPtr(std::make_shared<AccumulatorExpression>(entry->make, std::move(args)));
}

}  // namespace

StatusWith<ExprPtr> ParseAvgExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$avg", o, s); }
StatusWith<ExprPtr> ParseMaxExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$max", o, s); }
StatusWith<ExprPtr> ParseMinExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$min", o, s); }
StatusWith<ExprPtr> ParseSumExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$sum", o, s); }
StatusWith<ExprPtr> ParseStdDevPopExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$stdDevPop", o, s); }
StatusWith<ExprPtr> ParseStdDevSampExpr(const bson::BsonElement& o, ParseScope* s) { return ParseAccumulatorExpression("$stdDevSamp", o, s); }

}  // namespace dds::agg
