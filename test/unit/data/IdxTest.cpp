//===- IdxTest.cpp - IDX files: plain, gzip, truncated and garbled --------===//
#include "runtime/data/Idx.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace dldata;
using ::testing::HasSubstr;

namespace {

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

/// An IDX header: zero, zero, type, rank, then the dimensions big-endian.
std::string idxHeader(unsigned char type, std::vector<uint32_t> dims) {
  std::string h{char(0), char(0), char(type), char(dims.size())};
  for (uint32_t d : dims)
    h += be32(d);
  return h;
}

/// Two 2x3 u8 images, pixel values 0..11.
std::string twoImages() {
  std::string bytes = idxHeader(0x08, {2, 2, 3});
  for (int i = 0; i < 12; ++i)
    bytes += char(i * 20);
  return bytes;
}

TEST(Idx, ReadsPlainAndGzipFilesAlike) {
  dltest::TempFolder dir;
  for (std::string path : {dir.write("images", twoImages()), dir.writeGzip("images.gz", twoImages())}) {
    Array a;
    std::string error;
    ASSERT_TRUE(readIdx(path, a, error)) << error;
    EXPECT_EQ(a.dtype, DType::U8);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2, 3}));
    ASSERT_EQ(a.bytes.size(), 12u);
    EXPECT_EQ(a.bytes[0], 0);
    EXPECT_EQ(a.bytes[11], 220);
  }
}

TEST(Idx, GzipIsDetectedByContentNotName) {
  dltest::TempFolder dir;
  Array a;
  std::string error;
  ASSERT_TRUE(readIdx(dir.writeGzip("looks-plain", twoImages()), a, error)) << error;
  EXPECT_EQ(a.shape[0], 2);
  ASSERT_TRUE(readIdx(dir.write("looks-compressed.gz", twoImages()), a, error)) << error;
  EXPECT_EQ(a.shape[0], 2);
}

TEST(Idx, ConvertsBigEndianElements) {
  dltest::TempFolder dir;
  std::string bytes = idxHeader(0x0C, {2}) + be32(1) + be32(uint32_t(-3));
  Array a;
  std::string error;
  ASSERT_TRUE(readIdx(dir.write("ints", bytes), a, error)) << error;
  EXPECT_EQ(a.dtype, DType::I32);
  EXPECT_EQ(a.data<int32_t>()[0], 1);
  EXPECT_EQ(a.data<int32_t>()[1], -3);
  float half = 0.5f;
  uint32_t halfBits;
  std::memcpy(&halfBits, &half, 4);
  ASSERT_TRUE(readIdx(dir.write("floats", idxHeader(0x0D, {1}) + be32(halfBits)), a, error)) << error;
  EXPECT_EQ(a.data<float>()[0], 0.5f);
}

TEST(Idx, TruncatedFilesAreErrorsThatSaySo) {
  dltest::TempFolder dir;
  std::string whole = twoImages();
  std::string cut = whole.substr(0, whole.size() - 5);
  Array a;
  std::string error;
  std::string plain = dir.write("cut", cut);
  EXPECT_FALSE(readIdx(plain, a, error));
  EXPECT_EQ(error, plain + ": truncated: expected 12 bytes of u8[2, 2, 3] data, found 7");

  // A gzip stream of the whole file cut short: the compressed stream itself ends early.
  std::string gz = dltest::readBytes(dir.writeGzip("whole.gz", whole));
  std::string cutGz = dir.write("cut.gz", gz.substr(0, gz.size() - 12));
  EXPECT_FALSE(readIdx(cutGz, a, error));
  EXPECT_THAT(error, HasSubstr(cutGz + ": "));
  EXPECT_THAT(error, HasSubstr("truncated"));

  // A complete gzip stream of a cut file.
  std::string gzOfCut = dir.writeGzip("gz-of-cut.gz", cut);
  EXPECT_FALSE(readIdx(gzOfCut, a, error));
  EXPECT_THAT(error, HasSubstr("truncated: expected 12 bytes of u8[2, 2, 3] data, found 7 (decompressed)"));

  std::string headerOnly = dir.write("header-only", whole.substr(0, 6));
  EXPECT_FALSE(readIdx(headerOnly, a, error));
  EXPECT_THAT(error, HasSubstr("truncated: expected 12 bytes of IDX dimensions, found 2"));

  EXPECT_FALSE(readIdx(dir.write("empty", ""), a, error));
  EXPECT_THAT(error, HasSubstr("truncated: expected 4 bytes of IDX header, found 0"));
}

TEST(Idx, HugeDimensionsAreRejectedBeforeAllocating) {
  dltest::TempFolder dir;
  Array a;
  std::string error;
  // 4G x 4G x 4G bytes: more than any array may hold.
  std::string path = dir.write("huge", idxHeader(0x08, {0xffffffff, 0xffffffff, 0xffffffff}));
  EXPECT_FALSE(readIdx(path, a, error));
  EXPECT_THAT(error, HasSubstr("IDX dimensions [4294967295, 4294967295, 4294967295] describe more than"));
  // 1 GiB claimed by a 20-byte file, plain and compressed: no allocation, a clear error.
  std::string big = idxHeader(0x08, {1024, 1024, 1024}) + "abcd";
  EXPECT_FALSE(readIdx(dir.write("big", big), a, error));
  EXPECT_THAT(error, HasSubstr("truncated: expected 1073741824 bytes of u8[1024, 1024, 1024] data, found 4"));
  EXPECT_FALSE(readIdx(dir.writeGzip("big.gz", big), a, error));
  EXPECT_THAT(error, HasSubstr("more than a gzip file of"));
}

// A gzip file may hold 1032 times its size, so a 1 MB file may claim a gigabyte of pixels. The
// claim must fail when the data runs out without having allocated (and zeroed) the gigabyte first,
// which the reader did until the buffer grew with the data. Measured in a child process, whose
// peak memory this read alone raises.
TEST(Idx, GzipClaimsAreNotAllocatedBeforeTheDataArrives) {
  dltest::TempFolder dir;
  // Stored without compression (level 0): the file is as large as its data, so its bound
  // (1032 x 1.1 MB) admits the 1 GiB claim.
  std::string path = dir.file("claims-a-gigabyte.gz");
  std::string bytes = idxHeader(0x08, {1024, 1024, 1024}) + std::string(1100000, '*');
  gzFile gz = gzopen(path.c_str(), "wb0");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    Array a;
    std::string error;
    bool refused = !readIdx(path, a, error) &&
                   error.find("truncated: expected 1073741824 bytes of u8[1024, 1024, 1024] data, "
                              "found 1100000 (decompressed)") != std::string::npos;
    ::getrusage(RUSAGE_SELF, &after);
    long grewKiB = after.ru_maxrss - before.ru_maxrss;
    ::_exit(!refused ? 2 : grewKiB > 256 * 1024 ? 3 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 2) << "the claim was not refused as truncated";
  EXPECT_NE(WEXITSTATUS(status), 3) << "reading it raised the peak memory by more than 256 MiB";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Idx, ForeignFilesAreRejected) {
  dltest::TempFolder dir;
  Array a;
  std::string error;
  std::string text = dir.write("text", "hello, world\n");
  EXPECT_FALSE(readIdx(text, a, error));
  EXPECT_EQ(error, text + ": not an IDX file (it starts with 0x68 0x65, not two zero bytes)");
  EXPECT_FALSE(readIdx(dir.write("i16", idxHeader(0x0B, {1}) + "ab"), a, error));
  EXPECT_THAT(error, HasSubstr("IDX element type i16 is not supported"));
  EXPECT_FALSE(readIdx(dir.write("type", idxHeader(0x42, {1}) + "a"), a, error));
  EXPECT_THAT(error, HasSubstr("unknown IDX element type 0x42"));
  EXPECT_FALSE(readIdx(dir.write("rank0", idxHeader(0x08, {})), a, error));
  EXPECT_THAT(error, HasSubstr("IDX rank 0 is not between 1 and 8"));
  std::string extra = dir.write("extra", twoImages() + "xyz");
  EXPECT_FALSE(readIdx(extra, a, error));
  EXPECT_EQ(error, extra + ": 3 bytes after the u8[2, 2, 3] data; the header does not describe this file");
  EXPECT_FALSE(readIdx(dir.writeGzip("extra.gz", twoImages() + "xyz"), a, error));
  EXPECT_THAT(error, HasSubstr("data continues after the u8[2, 2, 3] data"));
  EXPECT_FALSE(readIdx(dir.file("missing"), a, error));
  EXPECT_EQ(error, dir.file("missing") + ": cannot open: No such file or directory");
  EXPECT_FALSE(readIdx(dir.path(), a, error));
  EXPECT_EQ(error, dir.path() + ": is a folder, not a file");
}

TEST(Idx, GarbageNeverCrashes) {
  // Every prefix of a valid file and a few flipped bytes: each read either succeeds or reports an
  // error naming the file; none crashes or claims success with the wrong size.
  dltest::TempFolder dir;
  std::string whole = twoImages();
  for (size_t n = 0; n < whole.size(); ++n) {
    Array a;
    std::string error;
    std::string path = dir.write("prefix", whole.substr(0, n));
    EXPECT_FALSE(readIdx(path, a, error)) << n;
    EXPECT_THAT(error, HasSubstr(path + ": "));
  }
  for (size_t at = 0; at < 16; ++at) {
    std::string garbled = whole;
    garbled[at] = char(garbled[at] ^ 0xA5);
    Array a;
    std::string error;
    if (readIdx(dir.write("garbled", garbled), a, error))
      EXPECT_EQ(a.bytes.size(), uint64_t(a.elements()) * dtypeSize(a.dtype));
    else
      EXPECT_FALSE(error.empty());
  }
}

} // namespace
