// Older data directories open and are migrated in place: one written before
// event chunks (one row per event) keeps every event and its trims and is
// rewritten into the chunk table; one written before the credential ledger
// (schema 2) gains it.
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

std::int64_t user_version(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  std::int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// Schema 2 had no credential ledger: opening it adds the table and keeps
// every session, job and key.
TEST(SqliteMigration, Version2StoreGainsTheCredentialLedgerAndKeepsItsRows) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-migrate-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/arcp.db").c_str(), &db), SQLITE_OK);
    exec(db,
         "CREATE TABLE sessions(id TEXT PRIMARY KEY, principal TEXT NOT NULL, features TEXT NOT "
         "NULL, token_hash TEXT NOT NULL, next_seq INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
         "CREATE TABLE jobs(id TEXT PRIMARY KEY, principal TEXT NOT NULL, session_id TEXT NOT "
         "NULL, agent TEXT NOT NULL, status TEXT NOT NULL, trace_id TEXT NOT NULL, parent_job_id "
         "TEXT NOT NULL, created_at TEXT NOT NULL, created_ms INTEGER NOT NULL, finished_ms "
         "INTEGER NOT NULL, last_event_seq INTEGER NOT NULL, accepted TEXT NOT NULL, "
         "terminal_type TEXT NOT NULL, terminal_payload TEXT NOT NULL);"
         "CREATE TABLE idempotency(principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT "
         "NOT NULL, job_id TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(principal, "
         "key)) WITHOUT ROWID;"
         "INSERT INTO sessions VALUES('sess_1','alice','[]','h',7,1);"
         "INSERT INTO jobs VALUES('job_1','alice','sess_1','echo@1','success','t','','2026',5,6,"
         "3,'{}','job.result','{}');"
         "INSERT INTO idempotency VALUES('alice','k','f','job_1',5);"
         "PRAGMA user_version = 2;");
    sqlite3_close(db);
  }
  {
    auto store = open_sqlite_store(dir);
    ASSERT_TRUE(store) << store.error().describe();
    auto& s = *store;
    ASSERT_EQ(s->load_sessions().size(), 1U);
    EXPECT_EQ(s->load_sessions()[0].next_seq, 7);
    ASSERT_TRUE(s->load_job("job_1"));
    EXPECT_EQ(s->load_job("job_1")->status, "success");
    EXPECT_EQ(s->load_idempotency_keys().size(), 1U);
    EXPECT_TRUE(s->load_credentials().empty());
    s->save_credential(
        CredentialRecord{"cred_1", "job_1", "alice", "demo", "cred_1", "issued", 0, "", 1, 1});
    s->flush();
  }
  EXPECT_EQ(user_version(dir + "/arcp.db"), 3);
  {
    auto store = open_sqlite_store(dir);  // a version 3 file reopens as is
    ASSERT_TRUE(store) << store.error().describe();
    ASSERT_EQ((*store)->load_credentials().size(), 1U);
    EXPECT_EQ((*store)->load_credentials()[0].revoke_handle, "cred_1");
  }
  std::filesystem::remove_all(dir);
}

// A file claiming the current version without the ledger is not ours.
TEST(SqliteMigration, Version3WithoutTheLedgerIsRefused) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-migrate-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/arcp.db").c_str(), &db), SQLITE_OK);
    exec(db,
         "CREATE TABLE sessions(id TEXT); CREATE TABLE jobs(id TEXT); CREATE TABLE "
         "idempotency(id TEXT); PRAGMA user_version = 3;");
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(dir);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("no credentials table"), std::string::npos)
      << store.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace arcp::store
