// Metadata store: migrations are versioned and idempotent; transactions roll back on error.
#include "service/metadata_store.h"

#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

namespace dds::service {
namespace {

std::string TempDb() {
  std::string dir =
      std::filesystem::temp_directory_path() / ("dds-meta-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(reinterpret_cast<uintptr_t>(&dir)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir + "/metadata.sqlite";
}

TEST(MetadataStore, MigratesOnceAndReopens) {
  std::string path = TempDb();
  {
    auto store = MetadataStore::Open(path);
    ASSERT_OK(store);
    EXPECT_EQ((*store)->SchemaVersion(), 2);
    ASSERT_OK((*store)->Exec("INSERT INTO domains (id, name, created) VALUES (?, ?, ?)",
                             {std::string("d1"), std::string("admin"), int64_t{1}}));
  }
  auto again = MetadataStore::Open(path);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->SchemaVersion(), 2);
  auto rows = (*again)->Query("SELECT name FROM domains WHERE id = ?", {std::string("d1")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Str(0), "admin");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(MetadataStore, TransactionRollsBackOnError) {
  std::string path = TempDb();
  auto store = MetadataStore::Open(path);
  ASSERT_OK(store);
  MetadataStore& s = **store;
  Status st = s.Transaction([&]() -> Status {
    DDS_RETURN_IF_ERROR(s.Exec("INSERT INTO domains (id, name, created) VALUES ('a', 'x', 1)"));
    return Status(ErrorCode::kBadValue, "abort");
  });
  EXPECT_CODE(st, ErrorCode::kBadValue);
  auto rows = s.Query("SELECT COUNT(*) FROM domains");
  ASSERT_OK(rows);
  EXPECT_EQ((*rows)[0].Int(0), 0);
  // A constraint violation is an error, not a crash.
  ASSERT_OK(s.Exec("INSERT INTO domains (id, name, created) VALUES ('a', 'x', 1)"));
  EXPECT_FALSE(s.Exec("INSERT INTO domains (id, name, created) VALUES ('a', 'x', 1)").ok());
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

}  // namespace
}  // namespace dds::service
