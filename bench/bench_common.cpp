#include "bench_common.h"

#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Counts every heap allocation of the process.
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace dds::bench {

long AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }

const bson::BsonDocument& SampleDocument() {
  static const bson::BsonDocument* doc = new bson::BsonDocument(bson::FromJson(R"({
    "_id": {"$oid": "507f1f77bcf86cd799439011"},
    "orderNo": 100234, "status": "shipped", "channel": "web", "currency": "EUR",
    "created": {"$date": "2024-03-01T10:15:00Z"}, "updated": {"$date": "2024-03-02T08:00:00Z"},
    "customer": {"id": 5531, "name": "Ada Lovelace", "email": "ada@example.com", "vip": true,
                 "address": {"street": "12 Analytical Row", "city": "London", "zip": "NW1 6XE",
                             "country": "GB"}},
    "items": [
      {"sku": "A-1001", "name": "Difference engine gear", "qty": 2, "price": 19.5, "tags": ["brass"]},
      {"sku": "A-1002", "name": "Punched card pack", "qty": 10, "price": 2.25, "tags": ["paper"]},
      {"sku": "B-2001", "name": "Loom shuttle", "qty": 1, "price": 45.0, "tags": ["wood", "craft"]},
      {"sku": "B-2002", "name": "Bernoulli notes", "qty": 3, "price": 12.0, "tags": ["book"]},
      {"sku": "C-3001", "name": "Steam valve", "qty": 4, "price": 7.75, "tags": ["metal", "spare"]}],
    "tags": ["gift", "priority", "eu", "repeat-customer"],
    "totals": {"items": 20, "net": 173.25, "tax": 34.65, "gross": 207.9},
    "payment": {"method": "card", "last4": "4242", "captured": true},
    "notes": "Leave at the reception desk. Fragile items inside; please keep upright and dry. Contact the customer by email before delivery if the parcel does not fit the letterbox.",
    "score": 87, "flags": 5, "version": 3})"));
  return *doc;
}


}  // namespace dds::bench
