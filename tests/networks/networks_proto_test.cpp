#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include "greenwave/v1/scenario.pb.h"

namespace greenwave {
namespace {

TEST(ScenarioProto, TextFormatRoundTrip) {
  v1::Scenario s;
  s.set_name("tiny");
  auto* road = s.add_roads();
  road->set_id("r0");
  road->set_length(120.5);
  road->add_lanes()->set_speed_limit(13.9);
  s.mutable_settings()->set_yellow(3);

  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(s, &text));
  v1::Scenario back;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &back));
  EXPECT_EQ(back.roads(0).id(), "r0");
  EXPECT_DOUBLE_EQ(back.roads(0).length(), 120.5);
  EXPECT_DOUBLE_EQ(back.roads(0).lanes(0).speed_limit(), 13.9);
  EXPECT_DOUBLE_EQ(back.settings().yellow(), 3);
}

}  // namespace
}  // namespace greenwave
