#include "agg/accumulator.h"
#include "agg/expression_table.h"
#include "agg/stage.h"
#include "test_util.h"

namespace dds::agg {
namespace {

template <typename Span>
void ExpectSortedUnique(const Span& table) {
  for (size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].name, table[i].name) << "at " << table[i].name;
  }
  for (const auto& e : table) {
    EXPECT_FALSE(e.name.empty());
    EXPECT_EQ(e.name[0], '$');
  }
}

TEST(AggTables, StageTableSortedAndUnique) { ExpectSortedUnique(AllStages()); }
TEST(AggTables, ExpressionTableSortedAndUnique) { ExpectSortedUnique(AllExpressionOperators()); }
TEST(AggTables, AccumulatorTableSortedAndUnique) { ExpectSortedUnique(AllAccumulators()); }

TEST(AggTables, LookupIsExact) {
  EXPECT_NE(FindStage("$match"), nullptr);
  EXPECT_EQ(FindStage("$Match"), nullptr);
  EXPECT_NE(FindExpressionOperator("$add"), nullptr);
  EXPECT_EQ(FindExpressionOperator("$ADD"), nullptr);
  EXPECT_NE(FindAccumulator("$sum"), nullptr);
}

}  // namespace
}  // namespace dds::agg
