#include <gtest/gtest.h>

#include <cerrno>

#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

TEST(ScenarioError, NamesFileWhereAndWhat) {
  const ScenarioError e("roadnet.json", "/roads/3/lanes", "expected an array, got a number");
  EXPECT_STREQ(e.what(), "roadnet.json:/roads/3/lanes: expected an array, got a number");
  EXPECT_EQ(e.file(), "roadnet.json");
  EXPECT_EQ(e.where(), "/roads/3/lanes");
}

TEST(ScenarioError, InMemoryContentHasPlaceholderFile) {
  const ScenarioError e("", "line 4", "bad");
  EXPECT_STREQ(e.what(), "<memory>:line 4: bad");
}

TEST(ConfigError, NamesField) {
  const ConfigError e("--threads", "expected a positive integer, got '0'");
  EXPECT_STREQ(e.what(), "--threads: expected a positive integer, got '0'");
  EXPECT_EQ(e.field(), "--threads");
}

TEST(IoError, NamesPathActionAndOsReason) {
  const IoError e("out/a.h5", "write the trajectory", ENOSPC);
  EXPECT_STREQ(e.what(), "out/a.h5: cannot write the trajectory: No space left on device");
  EXPECT_EQ(e.path(), "out/a.h5");
  EXPECT_EQ(e.error_number(), ENOSPC);
}

TEST(CheckMacro, AbortsWithMessage) {
  EXPECT_DEATH(GW_CHECK(1 + 1 == 3, "arithmetic broke"), "arithmetic broke");
}

}  // namespace
}  // namespace greenwave
