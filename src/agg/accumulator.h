// Accumulators of $group (compat §5.3) and the accumulator table (agg/accumulator_table.cpp).
// An Accumulator instance holds the running state of one group; the table maps a name such as
// "$sum" to a factory. Not thread-safe (one instance per group).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "agg/value.h"
#include "common/status.h"

namespace dds::agg {

class Accumulator {
 public:
  virtual ~Accumulator() = default;
  // Folds one evaluated argument into the state.
  virtual void Process(const Value& v) = 0;
  // Same, with the input document (for accumulators that sort by document fields: $top...).
  virtual void ProcessDocument(const Value& v, const bson::BsonView& doc) { Process(v); }
  // Returns the group's result.
  virtual Value Finalize() const = 0;
};

// Creates the state of one group; `arg` is the accumulator's raw argument element.
using AccumulatorFactory = std::unique_ptr<Accumulator> (*)(const bson::BsonElement& arg);
// Validates the raw argument at parse time (nullptr: any expression).
using AccumulatorValidator = Status (*)(const bson::BsonElement& arg);

struct AccumulatorEntry {
  std::string_view name;
  AccumulatorFactory make;
  // True for accumulators that take no argument ($count: {}).
  bool no_argument;
  AccumulatorValidator validate = nullptr;
};

const AccumulatorEntry* FindAccumulator(std::string_view name);
std::span<const AccumulatorEntry> AllAccumulators();

}  // namespace dds::agg
