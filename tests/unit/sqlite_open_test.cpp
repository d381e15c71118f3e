// open_sqlite_store recognises its file before using it: only a missing
// arcp.db means "new store"; an empty file, a non-SQLite file, another
// program's SQLite database or a newer schema is refused (INTERNAL_ERROR
// naming the path and the remedy) and left untouched.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "store/store.hpp"

namespace arcp::store {
namespace {

namespace fs = std::filesystem;

class SqliteOpen : public ::testing::Test {
 protected:
  SqliteOpen() {
    std::string tmpl = (fs::temp_directory_path() / "arcp-open-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir = tmpl;
    db = (fs::path(dir) / "arcp.db").string();
  }
  ~SqliteOpen() override { fs::remove_all(dir); }

  void write_file(const std::string& bytes) { std::ofstream(db, std::ios::binary) << bytes; }
  std::string read_file() {
    std::ifstream in(db, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void sqlite(const std::string& sql) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(h);
  }
  // Opening must fail with a message naming the file, the problem and the
  // remedy, and must leave the file exactly as it was.
  void expect_refused(const std::string& problem) {
    std::string before = read_file();
    auto store = open_sqlite_store(dir);
    ASSERT_FALSE(store) << "opened an unrecognised file as a store";
    EXPECT_EQ(store.error().code, ErrorCode::kInternalError);
    const std::string& m = store.error().message;
    EXPECT_NE(m.find(db), std::string::npos) << m;
    EXPECT_NE(m.find(problem), std::string::npos) << m;
    EXPECT_NE(m.find("move it aside"), std::string::npos) << m;
    EXPECT_EQ(read_file(), before);
    EXPECT_FALSE(fs::exists(db + "-wal"));
    // Refused in read-only mode (`arcp tail`) too.
    SqliteOptions ro;
    ro.read_only = true;
    EXPECT_FALSE(open_sqlite_store(dir, ro));
  }

  std::string dir;
  std::string db;
};

TEST_F(SqliteOpen, ZeroByteFileIsRefused) {
  write_file("");
  expect_refused("is empty (0 bytes)");
  EXPECT_EQ(fs::file_size(db), 0U);
}

TEST_F(SqliteOpen, RandomBytesAreRefused) {
  std::mt19937 rng(7);
  std::string junk(8192, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  write_file(junk);
  expect_refused("is not a SQLite database");
}

TEST_F(SqliteOpen, TruncatedHeaderIsRefused) {
  write_file("SQLite format");  // shorter than the 16-byte header
  expect_refused("is not a SQLite database");
}

TEST_F(SqliteOpen, ForeignSqliteDatabaseIsRefused) {
  sqlite("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES(1,'x');");
  expect_refused("without the arcp schema");
}

TEST_F(SqliteOpen, SqliteDatabaseWithoutTablesIsRefused) {
  sqlite("CREATE TABLE t(x); DROP TABLE t;");  // a valid header, an empty schema
  ASSERT_GT(fs::file_size(db), 0U);
  expect_refused("no sessions table");
}

TEST_F(SqliteOpen, OurTablesWithAnUnknownVersionAreRefused) {
  sqlite(
      "CREATE TABLE sessions(id TEXT); CREATE TABLE jobs(id TEXT); CREATE TABLE idempotency(k "
      "TEXT); PRAGMA user_version = 0;");
  expect_refused("user_version 0");
}

TEST_F(SqliteOpen, NewerSchemaVersionIsRefused) {
  sqlite(
      "CREATE TABLE sessions(id TEXT); CREATE TABLE jobs(id TEXT); CREATE TABLE idempotency(k "
      "TEXT); PRAGMA user_version = 4;");
  std::string before = read_file();
  auto store = open_sqlite_store(dir);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("newer than this build understands"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find(db), std::string::npos);
  EXPECT_EQ(read_file(), before);
}

TEST_F(SqliteOpen, MissingFileCreatesAFreshStoreThatReopens) {
  std::string nested = dir + "/a/b";  // the directory is created too
  {
    auto store = open_sqlite_store(nested);
    ASSERT_TRUE(store) << store.error().describe();
    (*store)->save_session(SessionRecord{"sess_1", "alice", "[]", "hash", 7, wall_ms()});
    (*store)->flush();
  }
  for (int i = 0; i < 2; ++i) {
    auto store = open_sqlite_store(nested);
    ASSERT_TRUE(store) << store.error().describe();
    auto s = (*store)->load_session("sess_1");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->principal, "alice");
    EXPECT_EQ(s->next_seq, 7);
  }
  SqliteOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(open_sqlite_store(nested, ro));
}

TEST_F(SqliteOpen, ReadOnlyNeedsAnExistingStore) {
  SqliteOptions ro;
  ro.read_only = true;
  auto store = open_sqlite_store(dir, ro);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("no store at"), std::string::npos);
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(SqliteOpen, ADirectoryInPlaceOfTheFileIsRefused) {
  fs::create_directory(db);
  auto store = open_sqlite_store(dir);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("is not a regular file"), std::string::npos)
      << store.error().message;
}

}  // namespace
}  // namespace arcp::store
