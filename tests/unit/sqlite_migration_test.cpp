// A data directory written before event chunks (one row per event) opens,
// keeps every event and its trims, and is rewritten into the chunk table.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "store/store.hpp"

namespace arcp::store {
namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
}

TEST(SqliteMigration, RowPerEventLogsBecomeChunksWithEveryEventKept) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-migrate-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/arcp.db").c_str(), &db), SQLITE_OK);
    exec(db,
         "CREATE TABLE events(session_id TEXT NOT NULL, seq INTEGER NOT NULL, job_id TEXT NOT "
         "NULL, frame TEXT NOT NULL, PRIMARY KEY(session_id, seq)) WITHOUT ROWID;"
         "PRAGMA user_version = 1;");
    for (int seq = 5; seq <= 1200; ++seq) {
      exec(db, "INSERT INTO events VALUES('s1'," + std::to_string(seq) + ",'job_" +
                   std::to_string(seq % 2) + "','{\"seq\":" + std::to_string(seq) + "}')");
    }
    exec(db, "INSERT INTO events VALUES('s2',1,'job_x','{}')");
    sqlite3_close(db);
  }
  {
    auto store = open_sqlite_store(dir);
    ASSERT_TRUE(store) << store.error().describe();
    auto& s = *store;
    EXPECT_EQ(s->stats().events, 1197U);
    EXPECT_EQ(s->seq_range("s1"), std::make_pair(std::int64_t{5}, std::int64_t{1200}));
    auto all = s->read_events("s1", 0, 5000);
    ASSERT_EQ(all.size(), 1196U);
    for (std::size_t i = 0; i < all.size(); ++i) {
      auto seq = static_cast<std::int64_t>(i + 5);
      ASSERT_EQ(all[i].seq, seq);
      EXPECT_EQ(all[i].job_id, "job_" + std::to_string(seq % 2));
      EXPECT_EQ(*all[i].frame, "{\"seq\":" + std::to_string(seq) + "}");
    }
    EXPECT_EQ(s->read_events("s2", 0, 10).size(), 1U);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/arcp.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master WHERE name='events'", -1,
                                 &st, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0);  // the old table is gone
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace arcp::store
