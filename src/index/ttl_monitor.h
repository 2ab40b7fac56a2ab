// TtlMonitor: the background deleter of TTL indexes (expireAfterSeconds, compat §6). Every
// `interval` (default 60 s, like mongod's ttlMonitorSleepSecs) it scans each ready TTL index for
// date keys at or before now - expireAfterSeconds and deletes those documents (re-checked under
// the record lock; for arrays, the earliest date counts; non-date values never expire), with their
// index entries, in batches of one transaction per 500 documents.
//
// Thread-safe; the monitor owns one background thread between Start and Stop (or destruction).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "storage/engine.h"

namespace dds::index {

class TtlMonitor {
 public:
  // REQUIRES: `engine` outlives the monitor.
  TtlMonitor(storage::Engine& engine, std::chrono::milliseconds interval);
  ~TtlMonitor();
  TtlMonitor(const TtlMonitor&) = delete;
  TtlMonitor& operator=(const TtlMonitor&) = delete;

  // Starts the background thread (no-op when running).
  void Start();
  // Stops and joins the thread (no-op when stopped).
  void Stop();
  // Runs one pass at wall-clock time `now_ms` (ms since the epoch); returns the number of
  // documents deleted.
  StatusWith<int64_t> RunOnce(int64_t now_ms);
  // Total documents deleted by this monitor (serverStatus metrics.ttl.deletedDocuments).
  int64_t deleted_documents() const;
  // Number of completed passes (metrics.ttl.passes).
  int64_t passes() const;

 private:
  void Loop();

  storage::Engine& engine_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  int64_t deleted_ = 0;
  int64_t passes_ = 0;
};

}  // namespace dds::index
