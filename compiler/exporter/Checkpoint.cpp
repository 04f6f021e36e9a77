//===- Checkpoint.cpp - Reading a safetensors checkpoint for export -------===//
#include "compiler/exporter/Checkpoint.h"

#include "llvm/Support/JSON.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace dlc::exporter {

bool readCheckpoint(const std::string &path, std::map<std::string, dl::interp::Tensor> &tensors,
                    std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open checkpoint '" + path + "'";
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  auto bad = [&](const std::string &why) {
    error = "'" + path + "' is no safetensors checkpoint: " + why;
    return false;
  };
  if (bytes.size() < 8)
    return bad("it is shorter than its 8-byte header length");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = headerSize << 8 | static_cast<unsigned char>(bytes[i]);
  if (headerSize > bytes.size() - 8)
    return bad("its header length exceeds the file");
  llvm::Expected<llvm::json::Value> header = llvm::json::parse(bytes.substr(8, headerSize));
  if (!header)
    return bad("its header is not JSON (" + llvm::toString(header.takeError()) + ")");
  const llvm::json::Object *object = header->getAsObject();
  if (!object)
    return bad("its header is not a JSON object");
  const std::string data = bytes.substr(8 + headerSize);
  for (const auto &[key, value] : *object) {
    if (key == "__metadata__")
      continue;
    const llvm::json::Object *entry = value.getAsObject();
    const llvm::json::Array *shape = entry ? entry->getArray("shape") : nullptr;
    const llvm::json::Array *offsets = entry ? entry->getArray("data_offsets") : nullptr;
    std::optional<llvm::StringRef> dtype = entry ? entry->getString("dtype") : std::nullopt;
    if (!shape || !offsets || offsets->size() != 2 || !dtype)
      return bad("tensor '" + key.str() + "' lacks a dtype, shape or data_offsets");
    dl::interp::Tensor t;
    int64_t count = 1;
    for (const llvm::json::Value &d : *shape) {
      std::optional<int64_t> n = d.getAsInteger();
      if (!n || *n < 0)
        return bad("tensor '" + key.str() + "' has a bad shape");
      t.shape.push_back(*n);
      count *= *n;
    }
    std::optional<int64_t> begin = (*offsets)[0].getAsInteger(), end = (*offsets)[1].getAsInteger();
    size_t width = *dtype == "BOOL" ? 1 : 4;
    if (*dtype != "F32" && *dtype != "I32" && *dtype != "BOOL")
      return bad("tensor '" + key.str() + "' has dtype " + dtype->str() + " (dlc writes F32, I32 and BOOL)");
    if (!begin || !end || *begin < 0 || *end < *begin || static_cast<size_t>(*end) > data.size() ||
        static_cast<size_t>(*end - *begin) != count * width)
      return bad("tensor '" + key.str() + "' has data_offsets that do not fit its shape or the file");
    t.kind = *dtype == "F32" ? dl::interp::ElementKind::F32
             : *dtype == "I32" ? dl::interp::ElementKind::I32
                               : dl::interp::ElementKind::I1;
    const char *p = data.data() + *begin;
    for (int64_t i = 0; i < count; ++i) {
      if (t.kind == dl::interp::ElementKind::F32) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        t.data.push_back(f);
      } else if (t.kind == dl::interp::ElementKind::I32) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        t.data.push_back(v);
      } else {
        t.data.push_back(p[i] != 0);
      }
    }
    tensors[key.str()] = std::move(t);
  }
  return true;
}

} // namespace dlc::exporter
