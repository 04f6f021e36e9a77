//===- JsonTest.cpp - The runtime's JSON reader on good and bad input ===//
#include "runtime/core/Json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dl::rt::json {
namespace {

using ::testing::HasSubstr;

Value parsed(const std::string &text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse(text, v, error)) << text << ": " << error;
  return v;
}

std::string rejection(const std::string &text) {
  Value v;
  std::string error;
  EXPECT_FALSE(parse(text, v, error)) << text << " parsed";
  return error;
}

TEST(JsonTest, ReadsNestedValuesInOrder) {
  Value v = parsed(" {\"b\": [1, -2.5e1, true, false, null], \"a\": {\"x\": \"y\"}, \"\": []} \n  ");
  ASSERT_EQ(v.kind, Kind::Object);
  ASSERT_EQ(v.object.size(), 3u);
  EXPECT_EQ(v.object[0].first, "b");
  EXPECT_EQ(v.object[1].first, "a");
  const Value *b = v.find("b");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->array.size(), 5u);
  EXPECT_TRUE(b->array[0].isInteger);
  EXPECT_EQ(b->array[0].integer, 1);
  EXPECT_FALSE(b->array[1].isInteger);
  EXPECT_EQ(b->array[1].number, -25.0);
  EXPECT_EQ(b->array[2].kind, Kind::Bool);
  EXPECT_TRUE(b->array[2].boolean);
  EXPECT_FALSE(b->array[3].boolean);
  EXPECT_EQ(b->array[4].kind, Kind::Null);
  EXPECT_EQ(v.find("a")->find("x")->string, "y");
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(b->find("x"), nullptr) << "find on an array";
}

TEST(JsonTest, IntegersStayExact) {
  Value v = parsed("[9007199254740993, -9223372036854775808, 9223372036854775808, 1.0, 2e3]");
  EXPECT_TRUE(v.array[0].isInteger);
  EXPECT_EQ(v.array[0].integer, 9007199254740993);
  EXPECT_EQ(v.array[1].integer, INT64_MIN);
  EXPECT_FALSE(v.array[2].isInteger) << "past int64";
  EXPECT_EQ(v.array[2].number, 9223372036854775808.0);
  EXPECT_EQ(v.array[2].literal, "9223372036854775808") << "kept as written, for messages";
  EXPECT_EQ(v.array[4].literal, "2e3");
  EXPECT_FALSE(v.array[3].isInteger) << "a fraction, even .0, is not an integer literal";
  EXPECT_FALSE(v.array[4].isInteger);
  EXPECT_EQ(v.array[4].number, 2000.0);
}

TEST(JsonTest, DecodesEscapesToUtf8) {
  Value v = parsed(R"("a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(v.string, "a\"b\\c/d\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(JsonTest, RejectsMalformedInputWithItsOffset) {
  EXPECT_EQ(rejection(""), "at byte 0: unexpected end of input");
  EXPECT_EQ(rejection("[1,]"), "at byte 3: expected a value");
  EXPECT_EQ(rejection("{\"a\":1,}"), "at byte 7: expected a string key");
  EXPECT_EQ(rejection("{\"a\":1,\"a\":2}"), "at byte 7: duplicate key \"a\"");
  EXPECT_EQ(rejection("[1] x"), "at byte 4: unexpected text after the JSON value");
  EXPECT_EQ(rejection("01"), "at byte 1: leading zero in a number");
  EXPECT_EQ(rejection("1."), "at byte 2: expected a digit after '.'");
  EXPECT_EQ(rejection("1e400"), "at byte 0: number out of range");
  EXPECT_EQ(rejection("NaN"), "at byte 0: expected a value");
  EXPECT_EQ(rejection("tru"), "at byte 0: invalid literal");
  EXPECT_EQ(rejection("\"abc"), "at byte 4: unterminated string");
  EXPECT_EQ(rejection("\"a\nb\""), "at byte 2: control character in a string");
  EXPECT_EQ(rejection("\"\\x\""), "at byte 2: invalid escape");
  EXPECT_EQ(rejection("\"\\u12G4\""), "at byte 3: invalid \\u escape");
  EXPECT_EQ(rejection("\"\\ud83d\""), "at byte 7: high surrogate without its low half");
  EXPECT_EQ(rejection("\"\\ude00\""), "at byte 7: lone low surrogate in a \\u escape");
  EXPECT_EQ(rejection("{\"a\" 1}"), "at byte 5: expected ':'");
  EXPECT_EQ(rejection("[1 2]"), "at byte 3: expected ',' or ']'");
  EXPECT_THAT(rejection(std::string(100, '[') + std::string(100, ']')),
              HasSubstr("nested deeper than 64 levels"));
  std::string nul("[1]\0", 4);
  EXPECT_EQ(rejection(nul), "at byte 3: unexpected text after the JSON value");
}

TEST(JsonTest, QuotedStringsReadBack) {
  std::string text = "tab\there \"quoted\" back\\slash \x01 caf\xC3\xA9";
  std::string literal;
  appendQuoted(literal, text);
  EXPECT_EQ(literal, "\"tab\\u0009here \\\"quoted\\\" back\\\\slash \\u0001 caf\xC3\xA9\"");
  EXPECT_EQ(parsed(literal).string, text);
}

} // namespace
} // namespace dl::rt::json
