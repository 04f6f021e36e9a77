//===- ArrayFile.cpp - Reading a data file in the format its bytes show ---===//
#include "runtime/data/ArrayFile.h"
#include "runtime/data/Csv.h"
#include "runtime/data/Idx.h"
#include "runtime/data/InputFile.h"
#include "runtime/data/Npy.h"

namespace dldata {

bool detectFormat(const std::string &path, FileFormat &format, std::string &error) {
  InputFile file;
  if (!file.open(path, error))
    return false;
  unsigned char head[8] = {};
  size_t got = 0;
  if (!file.read(head, sizeof head, got, error))
    return false;
  format = looksLikeNpy(head, got) ? FileFormat::Npy
           : looksLikeIdx(head, got) ? FileFormat::Idx
                                     : FileFormat::Csv;
  return true;
}

bool readArrayFile(const std::string &path, Array &out, std::string &error) {
  FileFormat format;
  if (!detectFormat(path, format, error))
    return false;
  switch (format) {
  case FileFormat::Npy: return readNpy(path, out, error);
  case FileFormat::Idx: return readIdx(path, out, error);
  case FileFormat::Csv: return readCsv(path, out, nullptr, error);
  }
  return false;
}

} // namespace dldata
