# greenwave_add_test(NAME SOURCES... LIBS...): one GoogleTest executable registered with ctest.
include_guard(GLOBAL)
find_package(GTest REQUIRED)
include(GoogleTest)

function(greenwave_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)  # shared test helpers
  target_compile_definitions(${name} PRIVATE
    GREENWAVE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GREENWAVE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  greenwave_target_defaults(${name})
  # Each test is labelled with its executable, so `ctest -L` runs one suite's tests (make sanitize).
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600 LABELS ${name})
endfunction()
