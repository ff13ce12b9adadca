// The greenwave version string, set by CMake from project(VERSION).
#pragma once

namespace greenwave {
/// The library version, e.g. "0.1.0".
const char* version() noexcept;
}  // namespace greenwave
