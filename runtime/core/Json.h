//===- Json.h - The runtime's small JSON reader and string quoting -*- C++ -*-===//
//
// The runtime reads two kinds of JSON: the model descriptor the glue embeds in every model.so
// (dl/model_abi.h) and the header of a safetensors checkpoint, which may come from any tool. This
// reader is strict RFC 8259 (no comments, no trailing commas, no NaN), rejects duplicate object keys,
// bounds nesting depth, and keeps object members in file order. It never throws on bad input: parse()
// returns false with a message that names the byte offset. Numbers keep their exact integer value
// when the literal is an integer that fits int64 (offsets and shapes must not go through double).
//
// The runtime writes JSON only for checkpoint headers; appendQuoted() is all the writing it needs.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_JSON_H
#define DL_RUNTIME_CORE_JSON_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dl::rt::json {

enum class Kind { Null, Bool, Number, String, Array, Object };

/// "null", "boolean", "number", "string", "array", "object".
const char *kindName(Kind kind);

/// One parsed JSON value; only the fields of its kind are meaningful.
struct Value {
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  /// True when the literal was an integer (no fraction, no exponent) that fits int64; then
  /// `integer` holds it exactly.
  bool isInteger = false;
  int64_t integer = 0;
  /// A number as written (`18446744073709551000`, `1.5e3`), for messages about values that do
  /// not fit `integer`.
  std::string literal;
  std::string string;
  std::vector<Value> array;
  /// Members in file order; keys are unique.
  std::vector<std::pair<std::string, Value>> object;

  /// The member named `key` of an object, or null (also when this is not an object).
  const Value *find(std::string_view key) const;
};

/// Parses all of `text` (surrounding whitespace allowed) into `out`. False with `error` set to
/// "at byte N: what" on malformed input; `out` is then unspecified.
bool parse(std::string_view text, Value &out, std::string &error);

/// Appends `text` as a JSON string literal (quotes and escapes) to `out`.
void appendQuoted(std::string &out, std::string_view text);

} // namespace dl::rt::json

#endif // DL_RUNTIME_CORE_JSON_H
