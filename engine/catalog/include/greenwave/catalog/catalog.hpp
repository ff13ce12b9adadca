// The built-in environments, registered by name: what `greenwave train|eval --env NAME` and
// `greenwave.make(NAME, ...)` build. Add an env by adding one register_* call in catalog.cpp
// (docs/architecture.md, "Adding an environment").
#pragma once

#include <string>

#include "greenwave/env/env_registry.hpp"

namespace greenwave {

/// The registry of built-in envs ("traffic", "moe", ...), built once on first use.
const EnvRegistry& env_catalog();

/// Option `name` of resolved `options` as a finite double; ConfigError naming it otherwise.
double option_double(const EnvOptions& options, const std::string& name);
/// Option `name` of resolved `options` as an integer; ConfigError naming it otherwise.
long long option_int(const EnvOptions& options, const std::string& name);

}  // namespace greenwave
