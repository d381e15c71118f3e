#include "store/sqlite_event_log.hpp"

namespace arcp::store {
namespace {

// A chunk is written when it reaches either bound: big enough that the
// per-row B-tree cost vanishes, small enough that a replay from its middle
// decodes little and a trim that splits one keeps little hidden on disk.
constexpr std::size_t kChunkMaxBytes = 32U << 10U;
constexpr std::int64_t kChunkMaxEvents = 512;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS event_chunks(
  session_id TEXT NOT NULL, last_seq INTEGER NOT NULL, first_seq INTEGER NOT NULL,
  count INTEGER NOT NULL, codec INTEGER NOT NULL, raw_bytes INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS event_chunks_by_seq ON event_chunks(session_id, last_seq);
CREATE TABLE IF NOT EXISTS event_trims(
  session_id TEXT PRIMARY KEY, upto INTEGER NOT NULL) WITHOUT ROWID;
)sql";

}  // namespace

void SqliteEventLog::report_corrupt(std::string_view session_id) const {
  json::object fields{{"session_id", session_id},
                      {"detail", "a damaged event chunk was skipped from the damaged point"}};
  if (logger_)
    logger_->log(LogLevel::kError, "store.corrupt_chunk", std::move(fields));
  else
    Logger().log(LogLevel::kError, "store.corrupt_chunk", std::move(fields));
}

void SqliteEventLog::create_schema() {
  db_.exec(kSchema);
  {
    auto rows = db_.prepare("SELECT session_id, upto FROM event_trims");
    while (rows.step()) trimmed_[rows.text(0)] = rows.int64(1);
  }
  // Stores written before chunking kept one row per event.
  if (!db_.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'").step())
    return;
  db_.exec("BEGIN");
  {
    auto rows =
        db_.prepare("SELECT session_id, seq, job_id, frame FROM events ORDER BY session_id, seq");
    while (rows.step()) {
      auto frame = rows.text(3);
      add(EventRecord{rows.text(0), rows.int64(1), rows.text(2), make_frame(std::move(frame))});
    }
  }
  write_open_chunks();
  db_.exec("DROP TABLE events");
  db_.exec("COMMIT");
}

void SqliteEventLog::add(const EventRecord& event) {
  auto [it, fresh] = open_index_.try_emplace(event.session_id, open_.size());
  if (fresh) open_.emplace_back(event.session_id, ChunkWriter{});
  auto& [session_id, chunk] = open_[it->second];
  chunk.add(event.seq, event.job_id, *event.frame);
  if (chunk.bytes().size() >= kChunkMaxBytes || chunk.count() >= kChunkMaxEvents) {
    write_chunk(session_id, chunk);
    chunk.clear();
  }
}

void SqliteEventLog::write_open_chunks() {
  for (auto& [session_id, chunk] : open_)
    if (!chunk.empty()) write_chunk(session_id, chunk);
  open_.clear();
  open_index_.clear();
}

void SqliteEventLog::discard_open_chunks() {
  open_.clear();
  open_index_.clear();
}

void SqliteEventLog::write_chunk(const std::string& session_id, const ChunkWriter& chunk) {
  ChunkCodec codec = ChunkCodec::kRaw;
  std::string_view body = pack_chunk(chunk.bytes(), pack_scratch_, codec);
  db_.prepare("INSERT INTO event_chunks VALUES(?,?,?,?,?,?,?)")
      .bind_static(1, session_id)
      .bind(2, chunk.last_seq())
      .bind(3, chunk.first_seq())
      .bind(4, chunk.count())
      .bind(5, static_cast<std::int64_t>(codec))
      .bind(6, static_cast<std::int64_t>(chunk.bytes().size()))
      .bind_blob_static(7, body)
      .run();
}

std::optional<ChunkReader> SqliteEventLog::open_chunk(const Statement& row, int first_col,
                                                      std::string_view session_id) {
  auto bytes = unpack_chunk(row.int64(first_col), row.int64(first_col + 1), row.blob(first_col + 2),
                            unpack_scratch_);
  if (!bytes) {
    report_corrupt(session_id);
    return std::nullopt;
  }
  return ChunkReader(*bytes);
}

template <typename Visit>
void SqliteEventLog::for_each_event(const std::string& session_id, std::int64_t after_seq,
                                    Visit&& visit) {
  after_seq = std::max(after_seq, horizon(session_id));
  auto s = db_.prepare(
      "SELECT codec, raw_bytes, body FROM event_chunks WHERE session_id=? AND last_seq>? ORDER BY "
      "last_seq");
  s.bind(1, session_id).bind(2, after_seq);
  while (s.step()) {
    auto chunk = open_chunk(s, 0, session_id);
    if (!chunk) continue;
    ChunkEntry e;
    while (chunk->next(e))
      if (e.seq > after_seq && !visit(e)) return;
    if (chunk->corrupt()) report_corrupt(session_id);
  }
}

std::vector<EventRecord> SqliteEventLog::read(const std::string& session_id, std::int64_t after_seq,
                                              std::size_t limit) {
  std::vector<EventRecord> out;
  if (limit == 0) return out;
  out.reserve(std::min<std::size_t>(limit, 4096));
  for_each_event(session_id, after_seq, [&](const ChunkEntry& e) {
    out.push_back(
        EventRecord{session_id, e.seq, std::string(e.job_id), make_frame(std::string(e.frame))});
    return out.size() < limit;
  });
  return out;
}

std::vector<EventRecord> SqliteEventLog::read_job(const std::string& session_id,
                                                  const std::string& job_id,
                                                  std::int64_t after_seq) {
  std::vector<EventRecord> out;
  for_each_event(session_id, after_seq, [&](const ChunkEntry& e) {
    if (e.job_id == job_id)
      out.push_back(EventRecord{session_id, e.seq, job_id, make_frame(std::string(e.frame))});
    return true;
  });
  return out;
}

std::vector<EventRecord> SqliteEventLog::scan(const EventScan& scan) {
  std::string sql = "SELECT session_id, codec, raw_bytes, body FROM event_chunks WHERE last_seq>?";
  if (!scan.session_id.empty()) sql += " AND session_id=?";
  if (scan.after) sql += " AND (session_id>? OR (session_id=? AND last_seq>?))";
  sql += " ORDER BY session_id, last_seq";
  std::vector<EventRecord> out;
  auto s = db_.prepare(sql.c_str());
  int i = 1;
  s.bind(i++, scan.after_seq);
  if (!scan.session_id.empty()) s.bind(i++, scan.session_id);
  if (scan.after) {
    s.bind(i, scan.after->first).bind(i + 1, scan.after->first).bind(i + 2, scan.after->second);
  }
  while (out.size() < scan.limit && s.step()) {
    std::string session_id = s.text(0);
    // Within the cursor's own session only events after its seq are new.
    std::int64_t floor = std::max(scan.after_seq, horizon(session_id));
    if (scan.after && scan.after->first == session_id) floor = std::max(floor, scan.after->second);
    auto opened = open_chunk(s, 1, session_id);
    if (!opened) continue;
    auto& chunk = *opened;
    ChunkEntry e;
    while (out.size() < scan.limit && chunk.next(e)) {
      if (e.seq <= floor || (!scan.job_id.empty() && e.job_id != scan.job_id)) continue;
      out.push_back(
          EventRecord{session_id, e.seq, std::string(e.job_id), make_frame(std::string(e.frame))});
    }
    if (chunk.corrupt()) report_corrupt(session_id);
  }
  return out;
}

std::pair<std::int64_t, std::int64_t> SqliteEventLog::seq_range(const std::string& session_id) {
  auto s = db_.prepare("SELECT MIN(first_seq), MAX(last_seq) FROM event_chunks WHERE session_id=?");
  s.bind(1, session_id);
  if (!s.step() || s.int64(1) == 0) return {0, 0};
  return {std::max(s.int64(0), horizon(session_id) + 1), s.int64(1)};
}

std::int64_t SqliteEventLog::horizon(const std::string& session_id) const {
  auto it = trimmed_.find(session_id);
  return it == trimmed_.end() ? 0 : it->second;
}

void SqliteEventLog::trim(const std::string& session_id, std::int64_t upto_seq) {
  if (upto_seq <= horizon(session_id)) return;
  db_.prepare("DELETE FROM event_chunks WHERE session_id=? AND last_seq<=?")
      .bind(1, session_id)
      .bind(2, upto_seq)
      .run();
  db_.prepare("INSERT OR REPLACE INTO event_trims VALUES(?,?)")
      .bind(1, session_id)
      .bind(2, upto_seq)
      .run();
  trimmed_[session_id] = upto_seq;
}

void SqliteEventLog::erase_session(const std::string& session_id) {
  db_.prepare("DELETE FROM event_chunks WHERE session_id=?").bind(1, session_id).run();
  db_.prepare("DELETE FROM event_trims WHERE session_id=?").bind(1, session_id).run();
  trimmed_.erase(session_id);
}

std::size_t SqliteEventLog::count() {
  std::int64_t total = 0;
  {
    auto s = db_.prepare("SELECT COALESCE(SUM(count), 0) FROM event_chunks");
    if (s.step()) total = s.int64(0);
  }
  // Less the hidden head of each chunk a trim split.
  for (const auto& [session_id, upto] : trimmed_) {
    auto s = db_.prepare(
        "SELECT codec, raw_bytes, body FROM event_chunks WHERE session_id=? AND last_seq>? AND "
        "first_seq<=? "
        "ORDER BY last_seq LIMIT 1");
    s.bind(1, session_id).bind(2, upto).bind(3, upto);
    if (!s.step()) continue;
    auto opened = open_chunk(s, 0, session_id);
    if (!opened) continue;
    auto& chunk = *opened;
    ChunkEntry e;
    while (chunk.next(e) && e.seq <= upto) --total;
  }
  return static_cast<std::size_t>(std::max<std::int64_t>(total, 0));
}

}  // namespace arcp::store
