// The env registry and the built-in catalog: names, option checking, defaults.
#include <gtest/gtest.h>

#include "greenwave/catalog/catalog.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.field();
  }
  return "no error";
}

TEST(EnvCatalog, ListsTheBuiltInEnvs) {
  const std::vector<std::string> names = env_catalog().names();
  EXPECT_EQ(names.at(0), "traffic");
  EXPECT_TRUE(env_catalog().contains("moe"));
  EXPECT_EQ(env_catalog().at("traffic").best_metric, "average_travel_time");
  EXPECT_TRUE(env_catalog().at("traffic").lower_is_better);
  EXPECT_FALSE(env_catalog().at("moe").lower_is_better);
  EXPECT_EQ(field_of([] { env_catalog().at("chess"); }), "env");
}

TEST(EnvCatalog, ResolvesDefaultsAndRejectsUnknownOrMissingOptions) {
  const EnvOptions o = env_catalog().resolve("moe", {{"compute", "1e21"}});
  EXPECT_EQ(o.at("compute"), "1e21");
  EXPECT_EQ(o.at("max-total-params"), "2e10");
  EXPECT_EQ(field_of([] { env_catalog().resolve("moe", {{"experts", "8"}}); }), "experts");
  EXPECT_EQ(field_of([] { env_catalog().resolve("traffic", {}); }), "scenario");
  EXPECT_EQ(field_of([] { env_catalog().make("moe", {{"compute", "lots"}}); }), "compute");
  EXPECT_EQ(field_of([] { env_catalog().make("moe", {{"steps", "0"}}); }), "steps");
  const auto env = env_catalog().make("moe", {{"compute", "1e21"}});
  EXPECT_EQ(env->spec().name, "moe");
}

TEST(EnvRegistry, RejectsDuplicatesAndEntriesWithoutFactory) {
  EnvRegistry r;
  EnvEntry e;
  e.name = "x";
  EXPECT_EQ(field_of([&] { r.add(e); }), "env");  // no factory
  e.factory = [](const EnvOptions&) -> std::unique_ptr<Env> { return nullptr; };
  e.options = {{"a", "1", "", false}, {"a", "2", "", false}};
  EXPECT_EQ(field_of([&] { r.add(e); }), "env");  // option twice
  e.options.pop_back();
  r.add(e);
  EXPECT_EQ(field_of([&] { r.add(e); }), "env");  // name twice
  EXPECT_EQ(r.names(), std::vector<std::string>{"x"});
  EXPECT_EQ(env_options_from_json(env_options_to_json({{"a", "1"}})), (EnvOptions{{"a", "1"}}));
  EXPECT_EQ(field_of([] { env_options_from_json("[1]"); }), "env_options");
}

}  // namespace
}  // namespace greenwave
