#include "storage/record_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bson/bson.h"
#include "storage/engine.h"
#include "storage/key_string.h"
#include "storage/keyspace.h"
#include "engine_test_util.h"

namespace dds::storage {
namespace {

using bson::BsonBuilder;
using bson::BsonDocument;
using bson::FromJson;

BsonDocument Doc(const char* json) { return FromJson(json); }

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenOrDie(dir_.Sub("db"));
    ASSERT_NE(engine_, nullptr);
    auto coll = engine_->catalog().CreateCollection("test", "c", BsonDocument(), nullptr);
    ASSERT_OK(coll);
    coll_id_ = (*coll)->id;
  }

  void Insert(const BsonDocument& doc) {
    auto unit = engine_->BeginWrite();
    ASSERT_OK(unit->InsertRecord(coll_id_, doc["_id"], doc));
    ASSERT_OK(unit->Commit(false));
  }

  std::vector<std::string> ScanJson(bool forward = true) {
    auto read = engine_->BeginRead();
    auto cursor = read->ScanRecords(coll_id_, forward);
    std::vector<std::string> out;
    while (cursor->Next()) out.push_back(cursor->doc().ToJson());
    EXPECT_OK(cursor->status());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
  uint64_t coll_id_ = 0;
};

TEST_F(RecordStoreTest, InsertAndGet) {
  Insert(Doc(R"({"_id": 1, "a": "x"})"));
  auto read = engine_->BeginRead();
  BsonDocument key = Doc(R"({"_id": 1.0})");
  auto got = read->GetRecord(coll_id_, key["_id"]);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->view()["a"].String(), "x");
  BsonDocument missing = Doc(R"({"_id": 2})");
  auto none = read->GetRecord(coll_id_, missing["_id"]);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(RecordStoreTest, DuplicateIdAcrossNumericTypes) {
  Insert(Doc(R"({"_id": 1})"));
  for (const char* json : {R"({"_id": 1})", R"({"_id": 1.0})", R"({"_id": {"$numberLong": "1"}})",
                           R"({"_id": {"$numberDecimal": "1.00"}})"}) {
    BsonDocument doc = Doc(json);
    auto unit = engine_->BeginWrite();
    SCOPED_TRACE(json);
    EXPECT_CODE(unit->InsertRecord(coll_id_, doc["_id"], doc), ErrorCode::kDuplicateKey);
  }
  // Inside one unit too.
  auto unit = engine_->BeginWrite();
  BsonDocument a = Doc(R"({"_id": "k"})");
  ASSERT_OK(unit->InsertRecord(coll_id_, a["_id"], a));
  EXPECT_CODE(unit->InsertRecord(coll_id_, a["_id"], a), ErrorCode::kDuplicateKey);
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(ScanJson().size(), 2u);
}

TEST_F(RecordStoreTest, WriteUnitSeesItsOwnWrites) {
  auto unit = engine_->BeginWrite();
  BsonDocument doc = Doc(R"({"_id": 7, "v": 1})");
  ASSERT_OK(unit->InsertRecord(coll_id_, doc["_id"], doc));
  auto got = unit->GetRecordForUpdate(coll_id_, doc["_id"]);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  BsonDocument updated = Doc(R"({"_id": 7, "v": 2})");
  ASSERT_OK(unit->UpdateRecord(coll_id_, doc["_id"], updated));
  got = unit->GetRecordForUpdate(coll_id_, doc["_id"]);
  ASSERT_OK(got);
  EXPECT_EQ((*got)->view()["v"].Int32(), 2);
  // Not visible to others before commit.
  EXPECT_TRUE(ScanJson().empty());
  ASSERT_OK(unit->Commit(true));
  EXPECT_EQ(ScanJson().size(), 1u);

  auto del = engine_->BeginWrite();
  ASSERT_OK(del->DeleteRecord(coll_id_, doc["_id"]));
  got = del->GetRecordForUpdate(coll_id_, doc["_id"]);
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
  ASSERT_OK(del->Commit(false));
  EXPECT_TRUE(ScanJson().empty());
}

TEST_F(RecordStoreTest, UncommittedUnitRollsBackInDestructor) {
  {
    auto unit = engine_->BeginWrite();
    BsonDocument doc = Doc(R"({"_id": 1})");
    ASSERT_OK(unit->InsertRecord(coll_id_, doc["_id"], doc));
  }
  EXPECT_TRUE(ScanJson().empty());
  // The lock was released: a new unit can insert the same _id without waiting.
  Insert(Doc(R"({"_id": 1})"));
  auto unit = engine_->BeginWrite();
  BsonDocument doc = Doc(R"({"_id": 2})");
  ASSERT_OK(unit->InsertRecord(coll_id_, doc["_id"], doc));
  unit->Rollback();
  EXPECT_EQ(ScanJson().size(), 1u);
}

TEST_F(RecordStoreTest, ScanOrderFollowsIdOrder) {
  for (const char* json :
       {R"({"_id": "b"})", R"({"_id": 2.5})", R"({"_id": null})", R"({"_id": {"a": 1}})",
        R"({"_id": -3})", R"({"_id": {"$oid": "000000000000000000000001"}})",
        R"({"_id": {"$numberLong": "10"}})", R"({"_id": "a"})", R"({"_id": {"$minKey": 1}})",
        R"({"_id": true})"}) {
    Insert(Doc(json));
  }
  std::vector<std::string> forward = ScanJson(true);
  ASSERT_EQ(forward.size(), 10u);
  // Check against the oracle.
  auto read = engine_->BeginRead();
  auto cursor = read->ScanRecords(coll_id_);
  std::vector<BsonDocument> docs;
  while (cursor->Next()) docs.push_back(BsonDocument(cursor->doc()));
  for (size_t i = 1; i < docs.size(); ++i) {
    EXPECT_LT(bson::CompareElementValues(docs[i - 1]["_id"], docs[i]["_id"]), 0) << i;
  }
  EXPECT_EQ(docs.front()["_id"].type(), bson::BsonType::kMinKey);
  std::vector<std::string> backward = ScanJson(false);
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, forward);
  // Another collection's records do not leak into the scan.
  auto other = engine_->catalog().CreateCollection("test", "other", BsonDocument(), nullptr);
  ASSERT_OK(other);
  auto unit = engine_->BeginWrite();
  BsonDocument x = Doc(R"({"_id": 0})");
  ASSERT_OK(unit->InsertRecord((*other)->id, x["_id"], x));
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(ScanJson().size(), 10u);
}

TEST_F(RecordStoreTest, WriteUnitScansSeeOwnWrites) {
  Insert(Doc(R"({"_id": 1, "v": 0})"));
  Insert(Doc(R"({"_id": 3, "v": 0})"));
  auto unit = engine_->BeginWrite();
  BsonDocument two = Doc(R"({"_id": 2, "v": 0})");
  ASSERT_OK(unit->InsertRecord(coll_id_, two["_id"], two));
  BsonDocument three = Doc(R"({"_id": 3})");
  ASSERT_OK(unit->DeleteRecord(coll_id_, three["_id"]));
  {
    auto cursor = unit->ScanRecords(coll_id_);
    std::vector<int> ids;
    // Update each record while iterating (an update-many statement).
    while (cursor->Next()) {
      BsonDocument current(cursor->doc());
      ids.push_back(current["_id"].Int32());
      BsonBuilder b;
      b.AppendElement(current["_id"]);
      b.AppendInt32("v", 1);
      BsonDocument updated = b.Done();
      ASSERT_OK(unit->UpdateRecord(coll_id_, current["_id"], updated));
    }
    ASSERT_OK(cursor->status());
    EXPECT_EQ(ids, (std::vector<int>{1, 2}));
  }
  {
    auto cursor = unit->ScanRecords(coll_id_, false);
    std::vector<int> ids;
    while (cursor->Next()) {
      EXPECT_EQ(cursor->doc()["v"].Int32(), 1);
      ids.push_back(cursor->doc()["_id"].Int32());
    }
    EXPECT_EQ(ids, (std::vector<int>{2, 1}));
  }
  auto got = unit->GetRecord(coll_id_, two["_id"]);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  auto raw = unit->ScanRaw(RecordPrefix(coll_id_), RecordPrefix(coll_id_ + 1));
  int n = 0;
  while (raw->Next()) ++n;
  EXPECT_EQ(n, 2);
  raw.reset();
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 2);
}

TEST_F(RecordStoreTest, ReadUnitIsASnapshot) {
  Insert(Doc(R"({"_id": 1})"));
  auto read = engine_->BeginRead();
  Insert(Doc(R"({"_id": 2})"));
  {
    auto unit = engine_->BeginWrite();
    BsonDocument one = Doc(R"({"_id": 1})");
    ASSERT_OK(unit->DeleteRecord(coll_id_, one["_id"]));
    ASSERT_OK(unit->Commit(false));
  }
  auto cursor = read->ScanRecords(coll_id_);
  std::vector<std::string> seen;
  while (cursor->Next()) seen.push_back(cursor->doc().ToJson());
  ASSERT_OK(cursor->status());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].find("1"), std::string::npos);
  BsonDocument two = Doc(R"({"_id": 2})");
  auto got = read->GetRecord(coll_id_, two["_id"]);
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
  // A dropped collection is still readable from an older snapshot.
  ASSERT_OK(engine_->catalog().DropCollection("test", "c"));
  cursor = read->ScanRecords(coll_id_);
  EXPECT_TRUE(cursor->Next());
}

TEST_F(RecordStoreTest, SavePointRollback) {
  auto unit = engine_->BeginWrite();
  BsonDocument a = Doc(R"({"_id": 1})"), b = Doc(R"({"_id": 2})"), c = Doc(R"({"_id": 3})");
  ASSERT_OK(unit->InsertRecord(coll_id_, a["_id"], a));
  unit->SetSavePoint();
  ASSERT_OK(unit->InsertRecord(coll_id_, b["_id"], b));
  ASSERT_OK(unit->RollbackToSavePoint());
  unit->SetSavePoint();
  ASSERT_OK(unit->InsertRecord(coll_id_, c["_id"], c));
  ASSERT_OK(unit->Commit(false));
  std::vector<std::string> all = ScanJson();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_CODE(engine_->BeginWrite()->RollbackToSavePoint(), ErrorCode::kInternalError);
}

TEST_F(RecordStoreTest, CorruptRecordIsAnErrorNotACrash) {
  BsonDocument id = Doc(R"({"_id": 5})");
  auto unit = engine_->BeginWrite();
  ASSERT_OK(unit->Put(RecordKey(coll_id_, id["_id"]), std::string("\x10\x00\x00\x00garbage", 11)));
  ASSERT_OK(unit->Commit(false));
  auto read = engine_->BeginRead();
  EXPECT_CODE(read->GetRecord(coll_id_, id["_id"]), ErrorCode::kInternalError);
  auto cursor = read->ScanRecords(coll_id_);
  EXPECT_FALSE(cursor->Next());
  EXPECT_CODE(cursor->status(), ErrorCode::kInternalError);
}

TEST_F(RecordStoreTest, RawCursorRangeSeekAndDirection) {
  std::string prefix = IndexPrefix(42);
  auto unit = engine_->BeginWrite();
  for (char c : std::string("abcde")) ASSERT_OK(unit->Put(prefix + c, std::string(1, c)));
  ASSERT_OK(unit->Put(IndexPrefix(43) + "a", "other"));
  auto got = unit->GetForUpdate(prefix + "c");
  ASSERT_OK(got);
  EXPECT_EQ(got->value_or(""), "c");
  ASSERT_OK(unit->Delete(prefix + "e"));
  ASSERT_OK(unit->Commit(false));

  auto read = engine_->BeginRead();
  auto cursor = read->ScanRaw(prefix, PrefixSuccessor(prefix));
  std::string seen;
  while (cursor->Next()) seen += cursor->value();
  ASSERT_OK(cursor->status());
  EXPECT_EQ(seen, "abcd");
  cursor = read->ScanRaw(prefix + "b", prefix + "d", false);
  seen.clear();
  while (cursor->Next()) seen += cursor->value();
  EXPECT_EQ(seen, "cb");
  cursor = read->ScanRaw(prefix, PrefixSuccessor(prefix));
  cursor->Seek(prefix + "bb");
  seen.clear();
  while (cursor->Next()) seen += cursor->value();
  EXPECT_EQ(seen, "cd");
  cursor = read->ScanRaw(prefix, PrefixSuccessor(prefix), false);
  cursor->Seek(prefix + "bb");
  seen.clear();
  while (cursor->Next()) seen += cursor->value();
  EXPECT_EQ(seen, "ba");
  auto raw = read->Get(prefix + "a");
  ASSERT_OK(raw);
  EXPECT_EQ(raw->value_or(""), "a");
}

TEST_F(RecordStoreTest, ConcurrentInsertsOfOneIdOnlyOneWins) {
  std::atomic<int> ok{0}, dup{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      BsonDocument doc = Doc(R"({"_id": "same"})");
      auto unit = engine_->BeginWrite();
      Status s = unit->InsertRecord(coll_id_, doc["_id"], doc);
      if (s.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        s = unit->Commit(false);
        if (s.ok()) ok++;
      } else if (s.Is(ErrorCode::kDuplicateKey)) {
        dup++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(dup.load(), 7);
}

TEST_F(RecordStoreTest, DurableCommitsFromEightThreadsShareFsyncs) {
  constexpr int kThreads = 8, kCommits = 40;
  int64_t syncs_before = engine_->WalSyncCountForTest();
  ASSERT_GE(syncs_before, 0);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        BsonBuilder b;
        b.AppendInt32("_id", t * 1000 + i);
        BsonDocument doc = b.Done();
        auto unit = engine_->BeginWrite();
        if (!unit->InsertRecord(coll_id_, doc["_id"], doc).ok() || !unit->Commit(true).ok()) {
          failures++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t syncs = engine_->WalSyncCountForTest() - syncs_before;
  std::printf("durable commits: %d, WAL syncs: %lld\n", kThreads * kCommits,
              static_cast<long long>(syncs));
  EXPECT_GT(syncs, 0);
  EXPECT_LT(syncs, kThreads * kCommits);  // group commit: one fsync serves several writers
  EXPECT_EQ(ScanJson().size(), static_cast<size_t>(kThreads * kCommits));
}

// Index scans of snapshot readers reuse iterators (iterator_pool_internal.h): a reused iterator
// must honour its new bounds and direction, and must never show a reader data of another state.
TEST_F(RecordStoreTest, ReusedScanIteratorsFollowBoundsAndSnapshots) {
  const std::string prefix = IndexPrefix(7);
  auto key = [&](int64_t v, char suffix) {
    BsonBuilder b;
    b.AppendInt64("v", v);
    BsonDocument d = b.Done();
    std::string k = prefix;
    AppendKeyString(&k, d.view()["v"]);
    return k + suffix;  // [0x04][id][KeyString(v)][suffix]: v is a complete first field
  };
  auto point = [&](int64_t v) {  // every entry with first field v (a prefix-bloom range)
    std::string lower = key(v, 'a');
    lower.pop_back();
    return std::make_pair(lower, PrefixSuccessor(lower));
  };
  {
    auto unit = engine_->BeginWrite();
    for (int64_t v = 0; v < 20; ++v) {
      for (char c : std::string("xyz")) {
        ASSERT_OK(unit->Put(key(v, c), std::to_string(v) + c));
      }
    }
    ASSERT_OK(unit->Commit(false));
  }
  auto scan = [&](ReadUnit* read, const std::string& lower, const std::string& upper,
                  bool forward) {
    auto cursor = read->ScanRaw(lower, upper, forward);
    std::string seen;
    while (cursor->Next()) seen += std::string(cursor->value()) + ",";
    EXPECT_OK(cursor->status());
    return seen;
  };
  // Alternate point, wide, narrow and backward scans, each from a new reader (new snapshot at the
  // same sequence number, so the previous scan's iterator is reused).
  for (int round = 0; round < 50; ++round) {
    int64_t v = round % 20;
    auto [lower, upper] = point(v);
    std::string one = std::to_string(v);
    EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, true),
              one + "x," + one + "y," + one + "z,");
    EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, false),
              one + "z," + one + "y," + one + "x,");
    std::string all = scan(engine_->BeginRead().get(), prefix, PrefixSuccessor(prefix), true);
    EXPECT_EQ(std::count(all.begin(), all.end(), ','), 60);
    EXPECT_EQ(scan(engine_->BeginRead().get(), key(v, 'y'), key(v, 'z'), true), one + "y,");
    EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, true),
              one + "x," + one + "y," + one + "z,");
  }
  // A write after the pooled iterators were made: new readers see it, an older reader does not.
  auto [lower, upper] = point(3);
  auto before = engine_->BeginRead();
  EXPECT_EQ(scan(before.get(), lower, upper, true), "3x,3y,3z,");
  {
    auto unit = engine_->BeginWrite();
    ASSERT_OK(unit->Put(key(3, 'w'), "3w"));
    ASSERT_OK(unit->Delete(key(3, 'z')));
    ASSERT_OK(unit->Commit(false));
  }
  EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, true), "3w,3x,3y,");
  EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, true), "3w,3x,3y,");
  EXPECT_EQ(scan(before.get(), lower, upper, true), "3x,3y,3z,");
  // Flushed to files and with idle iterators released, the same answers (and a clean close).
  ASSERT_OK(engine_->FlushForTest());
  engine_->ReleaseIdleIterators();
  EXPECT_EQ(scan(engine_->BeginRead().get(), lower, upper, true), "3w,3x,3y,");
  EXPECT_EQ(scan(before.get(), lower, upper, false), "3z,3y,3x,");
}

// With enough sorted runs, point scans of an index's first field seek with the prefix bloom
// filters (files without the value are skipped): answers must not change.
TEST_F(RecordStoreTest, PrefixSeeksOverManyFilesFindEveryEntry) {
  const std::string prefix = IndexPrefix(9);
  auto key = [&](int64_t v, int64_t id) {
    BsonBuilder b;
    b.AppendInt64("v", v);
    b.AppendInt64("id", id);
    BsonDocument d = b.Done();
    std::string k = prefix;
    AppendKeyString(&k, d.view()["v"]);
    AppendKeyString(&k, d.view()["id"]);
    return k;
  };
  // Three flushes: three L0 files (a fourth would trigger a compaction into one run), each with
  // its own values and some shared ones.
  for (int file = 0; file < 3; ++file) {
    auto unit = engine_->BeginWrite();
    for (int64_t v = file * 10; v < file * 10 + 10; ++v) {
      ASSERT_OK(unit->Put(key(v, file), "f" + std::to_string(file)));
    }
    ASSERT_OK(unit->Put(key(100, file), "shared" + std::to_string(file)));
    ASSERT_OK(unit->Commit(false));
    ASSERT_OK(engine_->FlushForTest());
  }
  engine_->BeginRead();  // decides from the tree's shape at most once a second
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto read = engine_->BeginRead();
  EXPECT_TRUE(engine_->PrefixSeeksForTest());
  auto point = [&](int64_t v) {
    BsonBuilder b;
    b.AppendInt64("v", v);
    BsonDocument d = b.Done();
    std::string lower = prefix;
    AppendKeyString(&lower, d.view()["v"]);
    auto cursor = read->ScanRaw(lower, PrefixSuccessor(lower));
    std::string seen;
    while (cursor->Next()) seen += std::string(cursor->value()) + ",";
    EXPECT_OK(cursor->status());
    return seen;
  };
  EXPECT_EQ(point(0), "f0,");
  EXPECT_EQ(point(15), "f1,");
  EXPECT_EQ(point(29), "f2,");
  EXPECT_EQ(point(50), "");
  EXPECT_EQ(point(100), "shared0,shared1,shared2,");
}

TEST_F(RecordStoreTest, RecordCountAndSizeAreExact) {
  auto unit = engine_->BeginWrite();
  std::string filler(200, 'x');
  int64_t bytes = 0;
  std::vector<BsonDocument> docs;
  for (int i = 0; i < 1000; ++i) {
    BsonBuilder b;
    b.AppendInt32("_id", i);
    b.AppendString("f", filler);
    docs.push_back(b.Done());
    bytes += docs.back().size();
    ASSERT_OK(unit->InsertRecord(coll_id_, docs.back()["_id"], docs.back()));
  }
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 0);  // not committed yet
  ASSERT_OK(unit->Commit(false));
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 1000);
  EXPECT_EQ(engine_->ApproximateDataSize(coll_id_), bytes);
  EXPECT_GT(engine_->ApproximateStorageSize(coll_id_), 0);

  // Deletes (also of absent records), updates, save points and rollbacks.
  unit = engine_->BeginWrite();
  ASSERT_OK(unit->DeleteRecord(coll_id_, docs[0]["_id"]));
  BsonDocument absent = Doc(R"({"_id": "absent"})");
  ASSERT_OK(unit->DeleteRecord(coll_id_, absent["_id"]));
  BsonDocument small = Doc(R"({"_id": 1})");
  ASSERT_OK(unit->UpdateRecord(coll_id_, small["_id"], small));
  unit->SetSavePoint();
  ASSERT_OK(unit->DeleteRecord(coll_id_, docs[2]["_id"]));
  ASSERT_OK(unit->RollbackToSavePoint());
  ASSERT_OK(unit->Commit(false));
  bytes -= docs[0].size() + docs[1].size() - small.size();
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 999);
  EXPECT_EQ(engine_->ApproximateDataSize(coll_id_), bytes);
  {
    auto discarded = engine_->BeginWrite();
    ASSERT_OK(discarded->DeleteRecord(coll_id_, docs[3]["_id"]));
  }
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 999);

  // Persisted with the records.
  unit.reset();  // units must not outlive the engine
  engine_.reset();
  engine_ = OpenOrDie(dir_.Sub("db"));
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 999);
  EXPECT_EQ(engine_->ApproximateDataSize(coll_id_), bytes);
  ASSERT_OK(engine_->catalog().DropCollection("test", "c"));
  engine_.reset();
  engine_ = OpenOrDie(dir_.Sub("db"));
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 0);
}

TEST_F(RecordStoreTest, ConcurrentCountsAddUp) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        BsonBuilder b;
        b.AppendInt32("_id", t * 1000 + i);
        BsonDocument doc = b.Done();
        auto unit = engine_->BeginWrite();
        EXPECT_OK(unit->InsertRecord(coll_id_, doc["_id"], doc));
        EXPECT_OK(unit->Commit(i % 2 == 0));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 400);
  engine_.reset();
  engine_ = OpenOrDie(dir_.Sub("db"));
  EXPECT_EQ(engine_->ApproximateRecordCount(coll_id_), 400);
}

TEST_F(RecordStoreTest, InsertManyThroughput) {
  constexpr int kDocs = 100000;
  std::string filler(960, 'x');
  std::vector<BsonDocument> docs;
  docs.reserve(kDocs);
  for (int i = 0; i < kDocs; ++i) {
    BsonBuilder b;
    b.AppendObjectId("_id", bson::ObjectId::Generate());
    b.AppendInt32("i", i);
    b.AppendString("f", filler);
    docs.push_back(b.Done());
  }
  auto cpu_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
  };
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < kDocs; batch += 1000) {
    auto unit = engine_->BeginWrite();
    for (int i = batch; i < batch + 1000; ++i) {
      ASSERT_OK(unit->InsertRecord(coll_id_, docs[i]["_id"], docs[i]));
    }
    ASSERT_OK(unit->Commit(false));
  }
  double insert_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double insert_cpu_s = cpu_seconds() - cpu_start;
  cpu_start = cpu_seconds();
  start = std::chrono::steady_clock::now();
  auto read = engine_->BeginRead();
  for (int i = 0; i < kDocs; i += 10) {
    auto got = read->GetRecord(coll_id_, docs[i]["_id"]);
    ASSERT_TRUE(got.ok() && got->has_value());
  }
  double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double read_cpu_s = cpu_seconds() - cpu_start;
  // Wall-clock rates suffer when the machine is loaded; per-CPU-second rates less so.
  std::printf(
      "insert 1KB docs (batches of 1000): %.0f docs/s wall, %.0f per CPU s; "
      "point reads: %.0f/s wall, %.0f per CPU s\n",
      kDocs / insert_s, kDocs / insert_cpu_s, (kDocs / 10) / read_s, (kDocs / 10) / read_cpu_s);
}

TEST(EngineTest, SecondOpenOfSamePathIsDBPathInUse) {
  TempDir dir;
  auto engine = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(engine, nullptr);
  EngineOptions options;
  options.db_path = dir.Sub("db");
  auto second = Engine::Open(options);
  EXPECT_CODE(second, ErrorCode::kDBPathInUse);

  // Another process gets the same error (fcntl locks are per process).
  pid_t pid = fork();
  if (pid == 0) {
    auto other = Engine::Open(options);
    _exit(!other.ok() && other.status().Is(ErrorCode::kDBPathInUse) ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

TEST(EngineTest, NonDurableCommitsSurviveKill9) {
  TempDir dir;
  pid_t pid = fork();
  if (pid == 0) {
    EngineOptions options;
    options.db_path = dir.Sub("db");
    auto engine = Engine::Open(options);
    if (!engine.ok()) _exit(1);
    auto coll = (*engine)->catalog().CreateCollection("k", "c", BsonDocument(), nullptr);
    if (!coll.ok()) _exit(2);
    for (int i = 0; i < 100; ++i) {
      BsonBuilder b;
      b.AppendInt32("_id", i);
      BsonDocument doc = b.Done();
      auto unit = (*engine)->BeginWrite();
      if (!unit->InsertRecord((*coll)->id, doc["_id"], doc).ok() || !unit->Commit(false).ok()) {
        _exit(3);
      }
    }
    raise(SIGKILL);  // no destructors, no close, no flush
    _exit(4);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exit code " << WEXITSTATUS(wstatus);
  auto engine = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(engine, nullptr);
  CollectionPtr coll = engine->catalog().Lookup("k", "c");
  ASSERT_NE(coll, nullptr);
  auto read = engine->BeginRead();
  auto cursor = read->ScanRecords(coll->id);
  int n = 0;
  while (cursor->Next()) ++n;
  EXPECT_EQ(n, 100);
  EXPECT_EQ(engine->ApproximateRecordCount(coll->id), 100);
}

TEST(EngineTest, ReopenPersistsCatalogAndRecords) {
  TempDir dir;
  uint64_t id = 0;
  {
    auto engine = OpenOrDie(dir.Sub("db"));
    auto coll =
        engine->catalog().CreateCollection("app", "users", Doc(R"({"capped": false})"), nullptr);
    ASSERT_OK(coll);
    id = (*coll)->id;
    auto unit = engine->BeginWrite();
    BsonDocument doc = Doc(R"({"_id": 1, "name": "ann"})");
    ASSERT_OK(unit->InsertRecord(id, doc["_id"], doc));
    ASSERT_OK(unit->Commit(false));
  }
  auto engine = OpenOrDie(dir.Sub("db"));
  CollectionPtr coll = engine->catalog().Lookup("app", "users");
  ASSERT_NE(coll, nullptr);
  EXPECT_EQ(coll->id, id);
  EXPECT_EQ(coll->uuid.size(), 16u);
  EXPECT_TRUE(coll->options.view()["capped"].eoo() == false);
  ASSERT_EQ(coll->indexes.size(), 1u);
  EXPECT_EQ(coll->indexes[0].name, "_id_");
  auto read = engine->BeginRead();
  BsonDocument key = Doc(R"({"_id": 1})");
  auto got = read->GetRecord(id, key["_id"]);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->view()["name"].String(), "ann");
  // Ids are not reused after reopen.
  auto next = engine->catalog().CreateCollection("app", "other", BsonDocument(), nullptr);
  ASSERT_OK(next);
  EXPECT_GT((*next)->id, id);
}

TEST(EngineTest, CheckpointIsOpenable) {
  TempDir dir;
  {
    auto engine = OpenOrDie(dir.Sub("db"));
    auto coll = engine->catalog().CreateCollection("a", "b", BsonDocument(), nullptr);
    ASSERT_OK(coll);
    auto unit = engine->BeginWrite();
    BsonDocument doc = Doc(R"({"_id": "x"})");
    ASSERT_OK(unit->InsertRecord((*coll)->id, doc["_id"], doc));
    ASSERT_OK(unit->Commit(true));
    ASSERT_OK(engine->SyncWal());
    ASSERT_OK(engine->CreateCheckpoint(dir.Sub("backup")));
  }
  auto restored = OpenOrDie(dir.Sub("backup"));
  CollectionPtr coll = restored->catalog().Lookup("a", "b");
  ASSERT_NE(coll, nullptr);
  auto read = restored->BeginRead();
  auto cursor = read->ScanRecords(coll->id);
  EXPECT_TRUE(cursor->Next());
}

}  // namespace
}  // namespace dds::storage

namespace dds::storage {
namespace {

// Index-like keys [0x04][id][KeyString(v)][KeyString(_id)] spread over several SST files with
// different first values: equality scans (prefix bloom seeks) and cross-prefix range scans (total
// order) both see exactly the committed keys.
TEST(EngineTest, PrefixSeeksOverIndexKeysMatchTotalOrder) {
  TempDir dir;
  auto engine = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(engine, nullptr);
  std::string prefix = IndexPrefix(7);
  auto ks = [](int64_t v, bool as_string) {
    bson::BsonBuilder b;
    if (as_string) {
      b.AppendString("", "s" + std::to_string(v));
    } else {
      b.AppendInt64("", v);
    }
    return EncodeKeyString(b.Done().view().FirstElement());
  };
  std::map<std::string, int> expected;  // first-field KeyString -> entries
  for (int file = 0; file < 4; ++file) {
    auto unit = engine->BeginWrite();
    for (int64_t v = file; v < 40; v += 3) {
      for (int64_t id = 0; id < 3; ++id) {
        std::string first = ks(v, v % 2 == 0);
        ASSERT_OK(unit->Put(prefix + first + ks(file * 100 + id, false), "x"));
        ++expected[first];
      }
    }
    ASSERT_OK(unit->Commit(false));
    ASSERT_OK(engine->FlushForTest());
  }
  auto read = engine->BeginRead();
  for (int64_t v = -1; v < 42; ++v) {
    for (bool as_string : {false, true}) {
      std::string first = ks(v, as_string);
      std::string lower = prefix + first;
      ASSERT_TRUE(RangeSharesIndexKeyPrefix(lower, PrefixSuccessor(lower)));
      auto cursor = read->ScanRaw(lower, PrefixSuccessor(lower));
      int n = 0;
      while (cursor->Next()) ++n;
      ASSERT_OK(cursor->status());
      EXPECT_EQ(n, expected.count(first) ? expected[first] : 0) << v << " " << as_string;
    }
  }
  // A range over many prefixes is a total-order scan.
  EXPECT_FALSE(RangeSharesIndexKeyPrefix(prefix + ks(3, false), prefix + ks(30, false)));
  auto cursor = read->ScanRaw(prefix + ks(3, false), PrefixSuccessor(prefix));
  int n = 0;
  while (cursor->Next()) ++n;
  int want = 0;
  for (const auto& [first, count] : expected) want += first >= ks(3, false) ? count : 0;
  EXPECT_EQ(n, want);
}

}  // namespace
}  // namespace dds::storage
