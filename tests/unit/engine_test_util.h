// Helpers for tests that need a real storage engine: a fresh temporary directory per test,
// removed afterwards (declare it before the engine, so the engine closes first).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/engine.h"
#include "test_util.h"

namespace dds::storage {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dds-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<Engine> OpenOrDie(const std::string& path) {
  EngineOptions options;
  options.db_path = path;
  auto engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

}  // namespace dds::storage
