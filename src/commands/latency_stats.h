// Per-collection operation latencies, as mongod's Top keeps them for `$collStats: {latencyStats}`
// (and mongosh's db.coll.latencyStats()): for reads (find, getMore, count, distinct, aggregate),
// writes (insert, update, delete, findAndModify) and other commands naming a collection, the total
// microseconds, the number of operations and a histogram with mongod's bucket bounds
// (OperationLatencyHistogram: powers of two below 2^11 us, half-powers up to 2^21, then powers).
// Transactions are always 0 (ddsd has none). In memory only; a dropped collection's stats go with
// it (Top::collectionDropped).
//
// Recording is a few relaxed atomic adds on a per-namespace entry found through a per-thread
// cache. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bson/bson.h"

namespace dds::commands {

enum class LatencyKind { kRead = 0, kWrite = 1, kCommand = 2 };

// How a command counts (mongod's Command::getReadWriteType); nullopt for commands that name no
// collection (`collection_level` false; getMore always names one).
std::optional<LatencyKind> LatencyKindOf(std::string_view command_name, bool collection_level);

// The namespace a command's latency belongs to: "<db>.<coll>" from the first field (getMore: its
// `collection` field); empty when there is none.
std::string LatencyNamespace(std::string_view db, const bson::BsonView& body);

void RecordLatency(const std::string& ns, LatencyKind kind, int64_t micros);

// Appends `latencyStats: {reads, writes, commands, transactions}`, each {(histogram: [{micros,
// count}...],) latency, ops} (NumberLong).
void AppendLatencyStats(const std::string& ns, bool histograms, bson::BsonBuilder* b);

// Forgets a dropped collection's latencies.
void ForgetLatencyStats(const std::string& ns);

}  // namespace dds::commands
