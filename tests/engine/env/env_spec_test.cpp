#include <gtest/gtest.h>

#include "greenwave/env/env.hpp"

namespace greenwave {
namespace {

TEST(ObservationSpec, SizeIsProductOfShape) {
  ObservationSpec spec;
  spec.shape = {4, 6};
  EXPECT_EQ(spec.size(), 24);
  spec.shape = {33};
  EXPECT_EQ(spec.size(), 33);
}

}  // namespace
}  // namespace greenwave
