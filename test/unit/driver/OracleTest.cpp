//===- OracleTest.cpp - check-grad and interpret on the examples ----------===//
//
// Runs `dlc check-grad` and `dlc interpret` in-process on the examples: every example's gradients
// must match finite differences, and xor.dl, trained by the reference interpreter on the four XOR
// points, must reach a loss below 0.05 (issue 3's bar).
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/Driver.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

std::string example(const char *name) { return std::string(DLC_SOURCE_DIR) + "/examples/" + name; }

int runDlc(std::vector<std::string> args, std::string &out, std::string &err) {
  std::vector<char *> argv{const_cast<char *>("dlc")};
  for (std::string &a : args)
    argv.push_back(a.data());
  dlc::DriverOptions options;
  std::ostringstream o, e;
  int status = dlc::parseCommandLine(argv.size(), argv.data(), options, e)
                   ? dlc::runDriver(options, o, e)
                   : dlc::kExitUsage;
  out = o.str();
  err = e.str();
  return status;
}

double lastLoss(const std::string &out) {
  size_t at = out.rfind("loss ");
  return at == std::string::npos ? -1 : std::stod(out.substr(at + 5));
}

TEST(Oracle, XorGradientsMatchFiniteDifferences) {
  std::string out, err;
  EXPECT_EQ(runDlc({"check-grad", example("xor.dl")}, out, err), 0) << out << err;
  EXPECT_NE(out.find("gradients match finite differences"), std::string::npos) << out;
}

TEST(Oracle, FashionMlpGradientsMatchFiniteDifferences) {
  std::string out, err;
  // A small batch keeps the finite differences quick; dropout draws the same masks every call.
  EXPECT_EQ(runDlc({"check-grad", example("fashion_mlp.dl"), "-D", "B=8"}, out, err), 0) << out << err;
}

TEST(Oracle, XorLearnsWithTheInterpreter) {
  std::string out, err;
  ASSERT_EQ(runDlc({"interpret", example("xor.dl"), "--steps", "300", "--print-every", "50",
                    "--input", "x=0,0,0,1,1,0,1,1", "--input", "y=0,1,1,0"},
                   out, err),
            0)
      << err;
  EXPECT_LT(lastLoss(out), 0.05) << out;
}

TEST(Oracle, ReportsAnUnknownInput) {
  std::string out, err;
  EXPECT_EQ(runDlc({"interpret", example("xor.dl"), "--input", "z=1,2"}, out, err), 1);
  EXPECT_NE(err.find("the model has no input 'z'"), std::string::npos) << err;
}

TEST(Oracle, ReportsAWrongNumberOfValues) {
  std::string out, err;
  EXPECT_EQ(runDlc({"interpret", example("xor.dl"), "--input", "x=1,2,3"}, out, err), 1);
  EXPECT_NE(err.find("3 values for f32[4, 2], which holds 8"), std::string::npos) << err;
}

} // namespace
