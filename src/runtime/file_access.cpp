#include "runtime/file_access.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace arcp::runtime {
namespace {

// openat2 with RESOLVE_NO_SYMLINKS (Linux 5.6+); kernels without it get
// O_NOFOLLOW, which guards the last component only.
int open_no_symlinks(const std::string& path, int flags, mode_t mode = 0) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
  return static_cast<int>(fd);
}

Error os_error(int err, const std::string& path) {
  json::object details{{"path", path}};
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Error(ErrorCode::kInvalidRequest, "no such file or directory: " + path, details);
    case ELOOP:
      return Error(ErrorCode::kPermissionDenied,
                   "a symbolic link appeared on the checked path: " + path, details);
    case EACCES:
    case EPERM:
      return Error(ErrorCode::kPermissionDenied, "the operating system refused access to " + path,
                   details);
    case EISDIR:
      return Error(ErrorCode::kInvalidRequest, path + " is a directory", details);
    default:
      return Error(ErrorCode::kInternalError, path + ": " + std::strerror(err), details);
  }
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string resolve_symlinks(const std::string& canonical) {
  std::error_code ec;
  auto resolved = std::filesystem::weakly_canonical(canonical, ec);
  return ec ? canonical : resolved.string();
}

Result<std::string> read_whole_file(const std::string& resolved, std::size_t max_bytes) {
  Fd f{open_no_symlinks(resolved, O_RDONLY)};
  if (f.fd < 0) return os_error(errno, resolved);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return os_error(errno, resolved);
  if (S_ISDIR(st.st_mode)) return os_error(EISDIR, resolved);
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error(errno, resolved);
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      return Error(
          ErrorCode::kInternalError,
          resolved + " is larger than the file cap of " + std::to_string(max_bytes) + " bytes",
          json::object{{"limit", "max_file_bytes"}, {"cap", max_bytes}});
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<void> write_whole_file(const std::string& resolved, std::string_view data) {
  Fd f{open_no_symlinks(resolved, O_WRONLY | O_CREAT | O_TRUNC, 0644)};
  if (f.fd < 0) return os_error(errno, resolved);
  while (!data.empty()) {
    ssize_t n = ::write(f.fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error(errno, resolved);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::vector<DirEntry>> read_directory(const std::string& resolved, std::size_t max_entries) {
  int fd = open_no_symlinks(resolved, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return os_error(errno, resolved);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return os_error(err, resolved);
  }
  std::vector<DirEntry> out;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (out.size() == max_entries) {
      ::closedir(dir);
      return Error(ErrorCode::kInternalError,
                   resolved + " has more than " + std::to_string(max_entries) + " entries",
                   json::object{{"limit", "max_dir_entries"}, {"cap", max_entries}});
    }
    DirEntry entry{std::string(name)};
    struct stat st {};
    if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      entry.is_directory = S_ISDIR(st.st_mode);
      if (S_ISREG(st.st_mode)) entry.size = static_cast<std::uint64_t>(st.st_size);
    }
    out.push_back(std::move(entry));
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace arcp::runtime
