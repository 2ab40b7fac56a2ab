#include "query/sort_spill.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

namespace dds::query {

namespace {

constexpr size_t kIoBufferBytes = 1 << 20;

Status IoError(const std::string& what) {
  return Status(ErrorCode::kInternalError,
                "external sort: " + what + ": " + std::string(std::strerror(errno)));
}

}  // namespace

struct SortSpill::Run {
  std::FILE* file = nullptr;
  std::vector<char> buffer;
  SortItem head;
  bool has_head = false;
  ~Run() {
    if (file != nullptr) std::fclose(file);
  }
};

SortSpill::SortSpill(std::string dir, Less less) : dir_(std::move(dir)), less_(std::move(less)) {}

SortSpill::~SortSpill() = default;

Status SortSpill::WriteRun(std::vector<SortItem>* items) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status(ErrorCode::kInternalError, "external sort: cannot create " + dir_);
  std::string path = dir_ + "/sort-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError("cannot create a run file in " + dir_);
  ::unlink(path.c_str());  // the open descriptor keeps it alive; a crash leaves nothing
  auto run = std::make_unique<Run>();
  run->file = ::fdopen(fd, "w+b");
  if (run->file == nullptr) {
    ::close(fd);
    return IoError("fdopen");
  }
  run->buffer.resize(kIoBufferBytes);
  std::setvbuf(run->file, run->buffer.data(), _IOFBF, run->buffer.size());
  for (const SortItem& item : *items) {
    uint8_t seq[8];
    for (int i = 0; i < 8; ++i) seq[i] = static_cast<uint8_t>(item.seq >> (8 * i));
    const std::string& key = item.key.bytes();
    const std::string& doc = item.doc.bytes();
    if (std::fwrite(key.data(), 1, key.size(), run->file) != key.size() ||
        std::fwrite(doc.data(), 1, doc.size(), run->file) != doc.size() ||
        std::fwrite(seq, 1, sizeof seq, run->file) != sizeof seq) {
      return IoError("cannot write a run (disk full?)");
    }
    bytes_written_ += static_cast<int64_t>(key.size() + doc.size() + sizeof seq);
  }
  if (std::fflush(run->file) != 0) return IoError("cannot write a run (disk full?)");
  items->clear();
  runs_.push_back(std::move(run));
  return Status::OK();
}

StatusWith<bool> SortSpill::ReadItem(Run* run, SortItem* out) {
  auto read_doc = [run](bson::BsonDocument* doc) -> StatusWith<bool> {
    uint8_t len_bytes[4];
    size_t got = std::fread(len_bytes, 1, 4, run->file);
    if (got == 0 && std::feof(run->file)) return false;
    if (got != 4) return Status(ErrorCode::kInternalError, "external sort: truncated run");
    int32_t len;
    std::memcpy(&len, len_bytes, 4);
    if (len < 5) return Status(ErrorCode::kInternalError, "external sort: corrupt run");
    std::string bytes(static_cast<size_t>(len), '\0');
    std::memcpy(bytes.data(), len_bytes, 4);
    if (std::fread(bytes.data() + 4, 1, bytes.size() - 4, run->file) != bytes.size() - 4) {
      return Status(ErrorCode::kInternalError, "external sort: truncated run");
    }
    *doc = bson::BsonDocument::FromBytes(std::move(bytes));
    return true;
  };
  DDS_ASSIGN_OR_RETURN(bool more, read_doc(&out->key));
  if (!more) return false;
  DDS_ASSIGN_OR_RETURN(more, read_doc(&out->doc));
  uint8_t seq[8];
  if (!more || std::fread(seq, 1, sizeof seq, run->file) != sizeof seq) {
    return Status(ErrorCode::kInternalError, "external sort: truncated run");
  }
  out->seq = 0;
  for (int i = 7; i >= 0; --i) out->seq = (out->seq << 8) | seq[i];
  return true;
}

bool SortSpill::HeadAfter(size_t a, size_t b) const {
  return less_(runs_[b]->head, runs_[a]->head);
}

Status SortSpill::StartMerge() {
  heap_.clear();
  for (size_t i = 0; i < runs_.size(); ++i) {
    Run* run = runs_[i].get();
    if (std::fseek(run->file, 0, SEEK_SET) != 0) return IoError("cannot rewind a run");
    DDS_ASSIGN_OR_RETURN(run->has_head, ReadItem(run, &run->head));
    if (run->has_head) heap_.push_back(i);
  }
  std::make_heap(heap_.begin(), heap_.end(), std::bind_front(&SortSpill::HeadAfter, this));
  return Status::OK();
}

StatusWith<bool> SortSpill::Next(SortItem* out) {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), std::bind_front(&SortSpill::HeadAfter, this));
  size_t i = heap_.back();
  Run* run = runs_[i].get();
  *out = std::move(run->head);
  DDS_ASSIGN_OR_RETURN(run->has_head, ReadItem(run, &run->head));
  if (run->has_head) {
    std::push_heap(heap_.begin(), heap_.end(), std::bind_front(&SortSpill::HeadAfter, this));
  } else {
    heap_.pop_back();
  }
  return true;
}

}  // namespace dds::query
