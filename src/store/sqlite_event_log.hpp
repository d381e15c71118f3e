// Internal: the session event logs inside the SQLite store. Events are packed
// per session into chunks (event_chunk.hpp), one row each, keyed by
// (session_id, last_seq); reads and scans unpack them. A trim deletes the
// chunks it covers whole and records its horizon for the one it splits, so an
// ack costs a tiny row instead of rewriting a chunk. The caller serialises
// access to the database (SqliteStore's db lock).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/event_chunk.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace arcp::store {

class SqliteEventLog {
 public:
  explicit SqliteEventLog(SqliteDb& db) : db_(db) {}
  /// Where a damaged chunk is reported (null: stderr).
  void set_logger(std::shared_ptr<const Logger> logger) { logger_ = std::move(logger); }

  /// Creates the chunk table; rewrites a row-per-event log from an older
  /// store into chunks.
  void create_schema();

  /// Writer side, inside a transaction: `add` buffers per session and writes
  /// full chunks; `write_open_chunks` writes the rest (before any other
  /// statement that must see them, and before the commit).
  void add(const EventRecord& event);
  void write_open_chunks();
  /// After a failed transaction: forgets what was buffered for it.
  void discard_open_chunks();

  std::vector<EventRecord> read(const std::string& session_id, std::int64_t after_seq,
                                std::size_t limit);
  std::vector<EventRecord> read_job(const std::string& session_id, const std::string& job_id,
                                    std::int64_t after_seq);
  std::vector<EventRecord> scan(const EventScan& scan);
  std::pair<std::int64_t, std::int64_t> seq_range(const std::string& session_id);
  /// Hides events at or below `upto_seq`; deletes the chunks wholly below it.
  void trim(const std::string& session_id, std::int64_t upto_seq);
  void erase_session(const std::string& session_id);
  std::size_t count();

 private:
  void write_chunk(const std::string& session_id, const ChunkWriter& chunk);
  /// A reader over the chunk in `row`'s codec, raw_bytes and body columns
  /// (from `first_col`); nullopt (reported) when the row is damaged. Valid
  /// until the next call.
  std::optional<ChunkReader> open_chunk(const Statement& row, int first_col,
                                        std::string_view session_id);
  /// Calls `visit(const ChunkEntry&)` for each event of a session after
  /// `after_seq` (and its trim horizon), in seq order, while it returns true.
  template <typename Visit>
  void for_each_event(const std::string& session_id, std::int64_t after_seq, Visit&& visit);
  /// Highest trimmed seq of a session (0 when never trimmed).
  std::int64_t horizon(const std::string& session_id) const;

  void report_corrupt(std::string_view session_id) const;
  SqliteDb& db_;
  std::shared_ptr<const Logger> logger_;
  std::vector<std::pair<std::string, ChunkWriter>> open_;
  std::unordered_map<std::string, std::size_t> open_index_;
  std::unordered_map<std::string, std::int64_t> trimmed_;  // mirrors event_trims
  std::string pack_scratch_;
  std::string unpack_scratch_;
};

}  // namespace arcp::store
