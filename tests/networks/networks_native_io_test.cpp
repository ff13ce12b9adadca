// The native format: text and binary round trips, atomic writes, format detection and errors.
#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include <filesystem>
#include <fstream>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

namespace fs = std::filesystem;

class NativeIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gw_native_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& bytes) const { std::ofstream(dir_ / name, std::ios::binary) << bytes; }

  fs::path dir_;
};

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError thrown";
  return "";
}

v1::Scenario sample() {
  GridOptions o;
  o.rows = 2;
  o.cols = 3;
  o.demand.pattern = DemandPattern::Random;
  o.demand.seed = 7;
  return generate_grid(o);
}

TEST_F(NativeIo, TextRoundTrip) {
  const v1::Scenario s = sample();
  write_native(s, path("s.pbtxt"));
  const v1::Scenario back = read_native(path("s.pbtxt"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, back));
  EXPECT_EQ(detect_format(path("s.pbtxt")), ScenarioFormat::NativeText);
}

TEST_F(NativeIo, BinaryRoundTrip) {
  const v1::Scenario s = sample();
  write_native(s, path("s.pb"));
  const v1::Scenario back = read_native(path("s.pb"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, back));
  EXPECT_EQ(detect_format(path("s.pb")), ScenarioFormat::NativeBinary);
}

TEST_F(NativeIo, WriteLeavesNoTemporaryFileAndReplacesTarget) {
  write_native(sample(), path("s.pbtxt"));
  v1::Scenario small;
  small.set_name("small");
  write_native(small, path("s.pbtxt"));
  EXPECT_EQ(read_native(path("s.pbtxt")).name(), "small");
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(NativeIo, WriteRejectsUnknownExtensionAndMissingFolder) {
  EXPECT_NE(error_of([&] { write_native(sample(), path("s.json")); }).find("expected .pbtxt (text) or .pb (binary)"),
            std::string::npos);
  try {
    write_native(sample(), path("no/such/dir/s.pb"));
    ADD_FAILURE() << "wrote into a missing folder";
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), (path("no/such/dir/s.pb") + ": cannot create a file in its directory: No such file or directory").c_str());
  }
}

TEST_F(NativeIo, TextErrorsNameFileLineAndColumn) {
  std::string msg = error_of([] { parse_native_text("name: \"x\"\nroads { id: \"a\" length: ten }\n", "s.pbtxt"); });
  EXPECT_NE(msg.find("s.pbtxt:line 2, column 25: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("ten"), std::string::npos) << msg;
  msg = error_of([] { parse_native_text("name: \"x\"\n\nroads { lenght: 3 }\n", "s.pbtxt"); });
  EXPECT_NE(msg.find("s.pbtxt:line 3, column 15: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("lenght"), std::string::npos) << msg;
  // Truncated: a message left open.
  msg = error_of([] { parse_native_text("roads { id: \"a\"\n", "s.pbtxt"); });
  EXPECT_NE(msg.find("s.pbtxt:line 2"), std::string::npos) << msg;
  // Huge integers.
  msg = error_of([] { parse_native_text("settings { seed: 999999999999999999999999 }", "s.pbtxt"); });
  EXPECT_NE(msg.find("s.pbtxt:line 1"), std::string::npos) << msg;
}

// Found by fuzz_native_text: escaped bytes that are not UTF-8 parsed, then failed to encode.
TEST_F(NativeIo, TextRejectsStringsThatAreNotUtf8) {
  const std::string msg = error_of([] { parse_native_text("roads { id: \"ok\" }\nroads { id: \"a\\xff\" }", "s.pbtxt"); });
  EXPECT_NE(msg.find("s.pbtxt:/roads/1/id: string is not valid UTF-8"), std::string::npos) << msg;
  EXPECT_EQ(parse_native_text("name: \"Gudang \\344\\270\\234\"", "s.pbtxt").name(), "Gudang \xe4\xb8\x9c");
}

TEST_F(NativeIo, EmptyMissingAndCorruptFiles) {
  write("empty.pbtxt", " \n\t\n");
  EXPECT_NE(error_of([&] { read_native(path("empty.pbtxt")); }).find("empty.pbtxt: empty file"), std::string::npos);
  write("empty.pb", "");
  EXPECT_NE(error_of([&] { read_native(path("empty.pb")); }).find("empty.pb: empty file"), std::string::npos);
  write("bad.pb", std::string("\x0a\xff\xff\xff\xff\x0f", 6));
  EXPECT_NE(error_of([&] { read_native(path("bad.pb")); }).find("bad.pb: not a binary greenwave.v1.Scenario"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_native(path("missing.pbtxt")); }).find("missing.pbtxt: no such file"), std::string::npos);
  EXPECT_NE(error_of([&] { read_native(dir_.string()); }).find("is a directory"), std::string::npos);
}

TEST_F(NativeIo, DetectFormat) {
  write("config.json", "{\"roadnetFile\": \"r.json\"}");
  EXPECT_EQ(detect_format(path("config.json")), ScenarioFormat::CityFlow);
  write("roadnet.txt", "5\n30 120 0 1\n");
  EXPECT_EQ(detect_format(path("roadnet.txt")), ScenarioFormat::CBEngine);
  write("x.sumocfg", "<configuration/>");
  EXPECT_EQ(detect_format(path("x.sumocfg")), ScenarioFormat::Sumo);
  write("notes.txt", "hello");
  EXPECT_NE(error_of([&] { detect_format(path("notes.txt")); }).find("notes.txt: unknown scenario format"),
            std::string::npos);
  write("blank.txt", "");
  EXPECT_NE(error_of([&] { detect_format(path("blank.txt")); }).find("blank.txt: empty file"), std::string::npos);
  EXPECT_NE(error_of([&] { detect_format(path("nope.pbtxt")); }).find("no such file"), std::string::npos);
}

TEST_F(NativeIo, ReadScenarioRefusesFlowFileForNative) {
  write_native(sample(), path("s.pbtxt"));
  EXPECT_EQ(read_scenario(path("s.pbtxt")).name(), "grid_2x3");
  EXPECT_NE(error_of([&] { read_scenario(path("s.pbtxt"), path("flow.txt")); }).find("applies only to a CityFlow or CBEngine"),
            std::string::npos);
}

}  // namespace
}  // namespace greenwave
