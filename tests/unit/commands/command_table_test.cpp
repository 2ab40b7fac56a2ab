#include "commands/command.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace dds::commands {
namespace {

TEST(CommandTable, SortedUniqueAndComplete) {
  std::span<const CommandEntry> all = AllCommands();
  ASSERT_FALSE(all.empty());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_NE(all[i].handler, nullptr) << all[i].name;
    EXPECT_FALSE(all[i].help.empty()) << all[i].name;
    if (i > 0) EXPECT_LT(all[i - 1].name, all[i].name) << "at " << all[i].name;
  }
}

TEST(CommandTable, LookupIsExactAndCaseSensitive) {
  ASSERT_NE(FindCommand("hello"), nullptr);
  EXPECT_EQ(FindCommand("hello")->name, "hello");
  EXPECT_EQ(FindCommand("Hello"), nullptr);
  EXPECT_EQ(FindCommand("HELLO"), nullptr);
  EXPECT_EQ(FindCommand(""), nullptr);
  EXPECT_EQ(FindCommand("zzz"), nullptr);
  EXPECT_EQ(FindCommand("aaa"), nullptr);
}

TEST(CommandTable, HasMongodAliases) {
  for (const char* name : {"hello", "isMaster", "ismaster", "buildInfo", "buildinfo", "dbStats",
                           "dbstats", "collStats", "collstats"}) {
    EXPECT_NE(FindCommand(name), nullptr) << name;
  }
  EXPECT_EQ(FindCommand("isMaster")->handler, FindCommand("ismaster")->handler);
}

TEST(CommandTable, HandshakeCommandsAllowedOverOpQuery) {
  for (const char* name : {"hello", "isMaster", "ismaster"}) {
    EXPECT_NE(FindCommand(name)->flags & kOpQueryAllowed, 0u) << name;
  }
  EXPECT_EQ(FindCommand("listDatabases")->flags & kOpQueryAllowed, 0u);
}

TEST(CommandTable, AdminOnlyCommands) {
  for (const char* name : {"listDatabases", "renameCollection", "getLog", "shutdown",
                           "getCmdLineOpts", "getParameter", "setParameter", "fsync"}) {
    EXPECT_NE(FindCommand(name)->flags & kAdminOnly, 0u) << name;
  }
  EXPECT_EQ(FindCommand("ping")->flags & kAdminOnly, 0u);
}

}  // namespace
}  // namespace dds::commands
