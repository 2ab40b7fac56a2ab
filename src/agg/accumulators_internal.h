// Factories and validators of the accumulators implemented outside accumulator_table.cpp.
#pragma once

#include "agg/accumulator.h"
#include "agg/expression_internal.h"

namespace dds::agg {

Status ValidateNInputAccumulator(const bson::BsonElement& arg);
Status ValidateTopBottomAccumulator(const bson::BsonElement& arg);
Status ValidatePercentileAccumulator(const bson::BsonElement& arg);

std::unique_ptr<Accumulator> MakeFirstN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeLastN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeMaxN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeMinN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeTop(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeBottom(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeTopN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeBottomN(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakeMedian(const bson::BsonElement& arg);
std::unique_ptr<Accumulator> MakePercentile(const bson::BsonElement& arg);

}  // namespace dds::agg
