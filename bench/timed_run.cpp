#include "timed_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace dds::bench {

TimedRun RunTimed(mongoc_client_pool_t* pool, int conns, double seconds, uint64_t seed,
                  const WireOp& op, std::vector<std::vector<uint32_t>>* samples) {
  using Clock = std::chrono::steady_clock;
  if (samples->size() < static_cast<size_t>(conns)) samples->resize(static_cast<size_t>(conns));
  std::atomic<uint64_t> total{0};
  std::atomic<bool> failed{false};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point deadline;
  std::vector<std::thread> threads;
  for (int t = 0; t < conns; t++) {
    threads.emplace_back([&, t] {
      mongoc_client_t* client = pool ? mongoc_client_pool_pop(pool) : nullptr;
      std::mt19937_64 rng(seed + static_cast<uint64_t>(t) * 7919 + 17);
      // One untimed op opens the connection before the clock starts.
      if (op(t, client, rng) == 0) failed = true;
      ready++;
      while (!go) std::this_thread::yield();
      auto& mine = (*samples)[static_cast<size_t>(t)];
      mine.reserve(mine.size() + (1 << 16));
      uint64_t done = 0;
      while (!failed) {
        auto t0 = Clock::now();
        if (t0 >= deadline) break;
        int units = op(t, client, rng);
        auto t1 = Clock::now();
        if (units == 0) {
          failed = true;
          break;
        }
        done += static_cast<uint64_t>(units);
        mine.push_back(static_cast<uint32_t>(std::min<int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count(), UINT32_MAX)));
      }
      total += done;
      if (pool) mongoc_client_pool_push(pool, client);
    });
  }
  while (ready < conns) std::this_thread::yield();
  auto start = Clock::now();
  deadline = start + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
  go = true;
  for (auto& th : threads) th.join();
  TimedRun run;
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.units = total;
  run.failed = failed;
  return run;
}

}  // namespace dds::bench
