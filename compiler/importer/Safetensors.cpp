//===- Safetensors.cpp - Writing the imported weights ---------------------===//
//
// The weights file of `dlc import`: safetensors (an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the data), as dlc's checkpoints are
// written (runtime/core/Checkpoint.cpp), so dl-run --init and dl_instance_load read it. The
// driver writes the bytes (whole or not at all).
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Importer.h"

#include <cstring>

namespace dlc::importer {

std::string safetensorsBytes(const std::vector<NamedTensor> &tensors) {
  std::string header = "{\"__metadata__\":{\"format\":\"dlc\"}";
  std::string data;
  for (const NamedTensor &t : tensors) {
    size_t begin = data.size();
    bool isFloat = t.tensor.dtype == DType::F32;
    for (double v : t.tensor.values) {
      char bytes[4];
      if (isFloat) {
        float f = static_cast<float>(v);
        std::memcpy(bytes, &f, 4);
      } else {
        int32_t i = static_cast<int32_t>(v);
        std::memcpy(bytes, &i, 4);
      }
      data.append(bytes, 4);
    }
    header += ",\"" + t.name + "\":{\"dtype\":\"" + (isFloat ? "F32" : "I32") + "\",\"shape\":[";
    for (size_t d = 0; d < t.tensor.shape.size(); ++d)
      header += (d ? "," : "") + std::to_string(t.tensor.shape[d]);
    header += "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8)
    header += ' ';
  uint64_t length = header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>(length >> (8 * i));
  return bytes + header + data;
}

} // namespace dlc::importer
