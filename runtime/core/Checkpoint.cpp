//===- Checkpoint.cpp - Saving and loading an instance's state as safetensors ===//
//
// The layout and the guarantees are in Checkpoint.h. Saving streams the header and then each tensor
// straight from the state block into `<path>.tmp.<pid>.<n>` (O_EXCL, so two savers never share a
// temporary file). Loading reads the header, checks it against the model, reads the data section
// into memory, checks the bools, and only then copies into the state block.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Checkpoint.h"
#include "runtime/core/FileIO.h"

#include "runtime/core/Json.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints store the state block's bytes as they are: a little-endian host is required"
#endif

namespace dl::rt {
namespace {

/// A header longer than this is not one of ours nor a sane safetensors file (the Python library
/// uses the same bound).
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

const char *safetensorsDtype(dl_dtype dtype) {
  switch (dtype) {
  case DL_F32:
    return "F32";
  case DL_I32:
    return "I32";
  case DL_BOOL:
    return "BOOL";
  }
  return "?";
}

std::string typeString(const std::string &dtype, const std::vector<int64_t> &shape) {
  std::string s = dtype + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string quoted(const char *path) { return std::string("'") + path + "'"; }

//===----------------------------------------------------------------------===//
// Saving
//===----------------------------------------------------------------------===//

bool writeFully(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// The JSON header, padded with spaces so that 8 + its length is a multiple of 8.
std::string headerOf(const ModelDescription &model, const CheckpointMetadata &metadata) {
  std::string h = "{\"__metadata__\":{\"format\":\"dlc\",\"model\":";
  json::appendQuoted(h, model.name);
  h += ",\"step\":\"" + std::to_string(metadata.step) + "\"";
  for (const auto &[key, value] : metadata.entries) {
    h += ",";
    json::appendQuoted(h, key);
    h += ":";
    json::appendQuoted(h, value);
  }
  h += "}";
  size_t offset = 0;
  for (const StateSpec &s : model.states) {
    if (!s.saved())
      continue;
    h += ",";
    json::appendQuoted(h, s.tensor.name);
    h += ":{\"dtype\":\"";
    h += safetensorsDtype(s.tensor.dtype);
    h += "\",\"shape\":[";
    for (size_t i = 0; i < s.tensor.shape.size(); ++i)
      h += (i ? "," : "") + std::to_string(s.tensor.shape[i]);
    h += "],\"data_offsets\":[" + std::to_string(offset) + ",";
    offset += s.tensor.bytes;
    h += std::to_string(offset) + "]}";
  }
  h += "}";
  h.append((8 - h.size() % 8) % 8, ' ');
  return h;
}

/// Makes a rename in `path`'s folder durable; failure only costs durability, so it is ignored.
void syncFolderOf(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

/// Where one model tensor lies in the checkpoint's data section.
struct Placement {
  const StateSpec *state = nullptr;
  uint64_t begin = 0, end = 0;
};

/// Reads an integer pair or list from a header entry.
bool integers(const json::Value *v, std::vector<int64_t> &out) {
  if (!v || v->kind != json::Kind::Array)
    return false;
  out.clear();
  for (const json::Value &e : v->array) {
    if (e.kind != json::Kind::Number || !e.isInteger || e.integer < 0)
      return false;
    out.push_back(e.integer);
  }
  return true;
}

/// Reads the data_offsets [begin, end] of tensor `name` into a data section of `dataBytes`; false
/// with `why` naming what is wrong with them: their form, a value that is negative or past the
/// data (even past int64: safetensors offsets are u64), or a reversed pair.
bool dataOffsets(const json::Value *v, const std::string &name, uint64_t dataBytes,
                 uint64_t &begin, uint64_t &end, std::string &why) {
  std::string tensor = "tensor '" + name + "'";
  if (!v) {
    why = tensor + " lacks data_offsets";
    return false;
  }
  bool integral = v->kind == json::Kind::Array && v->array.size() == 2;
  for (size_t i = 0; integral && i < 2; ++i) {
    const json::Value &e = v->array[i];
    integral = e.kind == json::Kind::Number &&
               e.literal.find_first_of(".eE") == std::string::npos;
  }
  if (!integral) {
    why = "the data_offsets of " + tensor + " are not a pair of integers [begin, end]";
    return false;
  }
  uint64_t pair[2];
  for (size_t i = 0; i < 2; ++i) {
    const json::Value &e = v->array[i];
    if (e.literal[0] == '-') {
      why = "data_offsets value " + e.literal + " of " + tensor + " is negative";
      return false;
    }
    if (!e.isInteger || static_cast<uint64_t>(e.integer) > dataBytes) {
      why = "data_offsets value " + e.literal + " of " + tensor + " does not fit in the " +
            std::to_string(dataBytes) + " bytes of data";
      return false;
    }
    pair[i] = static_cast<uint64_t>(e.integer);
  }
  if (pair[0] > pair[1]) {
    why = "data_offsets [" + std::to_string(pair[0]) + ", " + std::to_string(pair[1]) + "] of " +
          tensor + " are reversed";
    return false;
  }
  begin = pair[0];
  end = pair[1];
  return true;
}

/// Parses the step in the metadata: a decimal string (as written) or a JSON integer.
bool parseStep(const json::Value &v, uint64_t &step) {
  if (v.kind == json::Kind::Number && v.isInteger && v.integer >= 0) {
    step = static_cast<uint64_t>(v.integer);
    return true;
  }
  if (v.kind != json::Kind::String || v.string.empty() || v.string.size() > 20)
    return false;
  uint64_t n = 0;
  for (char c : v.string) {
    if (c < '0' || c > '9' || __builtin_mul_overflow(n, 10u, &n) ||
        __builtin_add_overflow(n, static_cast<uint64_t>(c - '0'), &n))
      return false;
  }
  step = n;
  return true;
}

/// Reads the __metadata__ object into `metadata`; false with `why`.
bool readMetadata(const json::Value &object, CheckpointMetadata &metadata, std::string &why) {
  if (object.kind != json::Kind::Object) {
    why = "__metadata__ is not an object";
    return false;
  }
  for (const auto &[key, value] : object.object) {
    if (key == "step") {
      if (!parseStep(value, metadata.step)) {
        why = "the step in __metadata__ is not a non-negative integer";
        return false;
      }
      continue;
    }
    if (value.kind != json::Kind::String) {
      why = "__metadata__ entry '" + key + "' is not a string";
      return false;
    }
    if (!isReservedMetadataKey(key))
      metadata.entries[key] = value.string;
  }
  return true;
}

/// Checks the header against `model` and the data section's size; fills `placements` (one per
/// model state, in the model's order) and `metadata`.
dl_status checkHeader(const ModelDescription &model, const json::Value &header, uint64_t dataBytes,
                      const char *path, std::vector<Placement> &placements,
                      CheckpointMetadata &metadata, std::string &error) {
  auto formatError = [&](const std::string &what) {
    error = "checkpoint " + quoted(path) + ": " + what;
    return DL_ERR_FORMAT;
  };
  if (header.kind != json::Kind::Object)
    return formatError("the header is not a JSON object");
  placements.assign(model.states.size(), Placement());
  metadata = CheckpointMetadata();
  for (const auto &[name, entry] : header.object) {
    if (name == "__metadata__") {
      std::string why;
      if (!readMetadata(entry, metadata, why))
        return formatError(why);
      continue;
    }
    const StateSpec *state = model.findState(name);
    if (!state || !state->saved())
      return formatError("tensor '" + name + "' is not a parameter or buffer of model '" +
                         model.name + "'");
    if (entry.kind != json::Kind::Object)
      return formatError("the entry of tensor '" + name + "' is not an object");
    const json::Value *dtype = entry.find("dtype");
    std::vector<int64_t> shape;
    if (!dtype || dtype->kind != json::Kind::String)
      return formatError("tensor '" + name + "' lacks a string dtype");
    if (!integers(entry.find("shape"), shape))
      return formatError("tensor '" + name + "' lacks a shape of non-negative integers");
    const char *wanted = safetensorsDtype(state->tensor.dtype);
    if (dtype->string != wanted || shape != state->tensor.shape)
      return formatError("tensor '" + name + "' is " + typeString(dtype->string, shape) +
                         " in the checkpoint but " + typeString(wanted, state->tensor.shape) +
                         " in the model");
    uint64_t begin = 0, end = 0;
    std::string why;
    if (!dataOffsets(entry.find("data_offsets"), name, dataBytes, begin, end, why))
      return formatError(why);
    if (end - begin != state->tensor.bytes)
      return formatError("tensor '" + name + "' has data_offsets spanning " +
                         std::to_string(end - begin) + " bytes, but " +
                         typeString(wanted, shape) + " takes " +
                         std::to_string(state->tensor.bytes));
    placements[state - model.states.data()] = Placement{state, begin, end};
  }
  for (size_t i = 0; i < placements.size(); ++i)
    if (!placements[i].state && model.states[i].saved()) {
      const TensorSpec &t = model.states[i].tensor;
      return formatError("tensor '" + t.name + "' (" +
                         typeString(safetensorsDtype(t.dtype), t.shape) + ") is missing");
    }
  // The tensors must tile the data section: no overlap, no hole, nothing after the last.
  std::vector<const Placement *> order;
  for (const Placement &p : placements)
    if (p.state && p.end > p.begin)
      order.push_back(&p);
  std::sort(order.begin(), order.end(),
            [](const Placement *a, const Placement *b) { return a->begin < b->begin; });
  uint64_t covered = 0;
  for (const Placement *p : order) {
    if (p->begin != covered)
      return formatError("tensor '" + p->state->tensor.name + "' starts at byte " +
                         std::to_string(p->begin) + " of the data, but the tensors before it end at " +
                         std::to_string(covered) + " (overlap or hole)");
    covered = p->end;
  }
  if (covered != dataBytes)
    return formatError("the data section holds " + std::to_string(dataBytes) +
                       " bytes, but the tensors cover " + std::to_string(covered));
  return DL_OK;
}

} // namespace

bool isReservedMetadataKey(const std::string &key) {
  return key == "format" || key == "model" || key == "step";
}

dl_status saveCheckpoint(const ModelDescription &model, const uint8_t *state,
                         const CheckpointMetadata &metadata, const char *path, std::string &error) {
  static std::atomic<uint64_t> counter{0};
  std::string header = headerOf(model, metadata);
  std::string temp = std::string(path) + ".tmp." + std::to_string(::getpid()) + "." +
                     std::to_string(counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot save checkpoint " + quoted(path) + ": cannot create " + quoted(temp.c_str()) +
            ": " + std::strerror(errno);
    return DL_ERR_IO;
  }
  uint8_t length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<uint8_t>(static_cast<uint64_t>(header.size()) >> (8 * i));
  bool ok = writeFully(fd, length, 8) && writeFully(fd, header.data(), header.size());
  for (size_t i = 0; ok && i < model.states.size(); ++i)
    if (model.states[i].saved())
      ok = writeFully(fd, state + model.states[i].offset, model.states[i].tensor.bytes);
  const char *failed = "write";
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    failed = "fsync";
  }
  int savedErrno = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    failed = "close";
    savedErrno = errno;
  }
  if (ok && ::rename(temp.c_str(), path) != 0) {
    ok = false;
    failed = "rename";
    savedErrno = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    error = "cannot save checkpoint " + quoted(path) + ": " + failed + " failed: " +
            std::strerror(savedErrno);
    return DL_ERR_IO;
  }
  syncFolderOf(path);
  return DL_OK;
}

dl_status loadCheckpoint(const ModelDescription &model, uint8_t *state,
                         CheckpointMetadata &metadata, const char *path, std::string &error) {
  FileDescriptor file{::open(path, O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    error = "cannot open checkpoint " + quoted(path) + ": " + std::strerror(errno);
    return DL_ERR_IO;
  }
  struct stat info;
  if (::fstat(file.fd, &info) != 0) {
    error = "cannot read checkpoint " + quoted(path) + ": " + std::strerror(errno);
    return DL_ERR_IO;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "checkpoint " + quoted(path) + " is not a regular file";
    return DL_ERR_IO;
  }
  uint64_t fileBytes = static_cast<uint64_t>(info.st_size);
  auto formatError = [&](const std::string &what) {
    error = "checkpoint " + quoted(path) + ": " + what;
    return DL_ERR_FORMAT;
  };
  auto readError = [&]() {
    error = "cannot read checkpoint " + quoted(path) + ": " +
            (errno ? std::strerror(errno) : "the file shrank while it was read");
    return DL_ERR_IO;
  };
  uint8_t length[8];
  if (fileBytes < 8)
    return formatError(std::to_string(fileBytes) +
                       " bytes is too short for a safetensors file (8-byte header length)");
  errno = 0;
  if (!readFully(file.fd, length, 8, 0))
    return readError();
  uint64_t headerBytes = 0;
  for (int i = 0; i < 8; ++i)
    headerBytes |= static_cast<uint64_t>(length[i]) << (8 * i);
  if (headerBytes > fileBytes - 8 || headerBytes > kMaxHeaderBytes)
    return formatError("the header length " + std::to_string(headerBytes) + " does not fit a file of " +
                       std::to_string(fileBytes) + " bytes (truncated, or not safetensors)");
  std::string headerText(headerBytes, '\0');
  errno = 0;
  if (!readFully(file.fd, headerText.data(), headerBytes, 8))
    return readError();
  json::Value header;
  std::string why;
  if (!json::parse(headerText, header, why))
    return formatError("the header is not valid JSON: " + why);

  uint64_t dataStart = 8 + headerBytes, dataBytes = fileBytes - dataStart;
  std::vector<Placement> placements;
  CheckpointMetadata newMetadata;
  if (dl_status st = checkHeader(model, header, dataBytes, path, placements, newMetadata, error))
    return st;

  std::vector<uint8_t> data(dataBytes);
  errno = 0;
  if (!readFully(file.fd, data.data(), dataBytes, dataStart))
    return readError();
  for (const Placement &p : placements)
    if (p.state && p.state->tensor.dtype == DL_BOOL)
      for (uint64_t i = p.begin; i < p.end; ++i)
        if (data[i] > 1)
          return formatError("bool tensor '" + p.state->tensor.name + "' holds the byte " +
                             std::to_string(data[i]) + " (bools are 0 or 1)");

  // Everything checked: from here on nothing can fail.
  for (const Placement &p : placements)
    if (p.state)
      std::memcpy(state + p.state->offset, data.data() + p.begin, p.end - p.begin);
  metadata = std::move(newMetadata);
  return DL_OK;
}

} // namespace dl::rt
