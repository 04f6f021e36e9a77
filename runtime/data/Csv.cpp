//===- Csv.cpp - Reading numeric CSV files --------------------------------===//
#include "runtime/data/Csv.h"
#include "runtime/data/InputFile.h"

#include <cstdlib>
#include <cstring>

namespace dldata {

namespace {

std::string trim(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> splitFields(const std::string &line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos)
      return fields;
    start = comma + 1;
  }
}

/// Parses a whole field as a number (decimal, exponent, inf, nan), in the C locale's format.
bool parseNumber(const std::string &field, double &value) {
  if (field.empty())
    return false;
  char *end = nullptr;
  value = std::strtod(field.c_str(), &end);
  return end == field.c_str() + field.size();
}

} // namespace

bool parseCsv(const std::string &name, const std::string &text, Array &out,
              std::vector<std::string> *header, std::string &error) {
  if (header)
    header->clear();
  std::vector<double> values;
  size_t columns = 0, rows = 0, lineNumber = 0, firstRowLine = 0;
  // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first field.
  size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  bool sawFirstLine = false;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    std::string line = text.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
    start = newline == std::string::npos ? text.size() : newline + 1;
    ++lineNumber;
    if (trim(line).empty())
      continue;
    std::vector<std::string> fields = splitFields(line);
    std::vector<double> row(fields.size());
    size_t bad = fields.size();
    for (size_t i = 0; i < fields.size() && bad == fields.size(); ++i)
      if (!parseNumber(fields[i], row[i]))
        bad = i;
    if (!sawFirstLine) {
      sawFirstLine = true;
      if (bad != fields.size()) {
        // A header: its names set the width the rows must have.
        if (header)
          *header = fields;
        columns = fields.size();
        firstRowLine = lineNumber;
        continue;
      }
    }
    std::string where = name + ":" + std::to_string(lineNumber) + ": ";
    if (bad != fields.size()) {
      error = where + "column " + std::to_string(bad + 1) + ": " +
              (fields[bad].empty() ? std::string("empty value")
                                   : "'" + fields[bad] + "' is not a number");
      return false;
    }
    if (columns == 0) {
      columns = fields.size();
      firstRowLine = lineNumber;
    } else if (fields.size() != columns) {
      error = where + std::to_string(fields.size()) + " values, but line " + std::to_string(firstRowLine) +
              " has " + std::to_string(columns);
      return false;
    }
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) {
    error = name + ": no rows of numbers";
    return false;
  }
  Array array = makeArray(DType::F64, {int64_t(rows), int64_t(columns)});
  std::memcpy(array.bytes.data(), values.data(), values.size() * sizeof(double));
  out = std::move(array);
  return true;
}

bool readCsv(const std::string &path, Array &out, std::vector<std::string> *header,
             std::string &error) {
  std::string text;
  if (!readWholeFile(path, kMaxCsvBytes, text, error))
    return false;
  if (text.find('\0') != std::string::npos) {
    error = path + ": a binary file, not CSV text";
    return false;
  }
  return parseCsv(path, text, out, header, error);
}

} // namespace dldata
