# Project options, compiler settings and the helpers every layer uses.
include_guard(GLOBAL)

find_library(GREENWAVE_SUMOCPP_LIBRARY sumocpp)
find_path(GREENWAVE_SUMO_INCLUDE_DIR libsumo/libsumo.h)
if(GREENWAVE_SUMOCPP_LIBRARY AND GREENWAVE_SUMO_INCLUDE_DIR)
  set(_greenwave_sumo_found ON)
else()
  set(_greenwave_sumo_found OFF)
endif()

option(GREENWAVE_WITH_SUMO "Build the libsumo backend (on when libsumo is found)" ${_greenwave_sumo_found})
option(GREENWAVE_BUILD_AGENTS "Build agents/ (needs LibTorch)" ON)
option(GREENWAVE_BUILD_PYTHON "Build the pybind11 module" ON)
option(GREENWAVE_BUILD_TESTS "Build the GoogleTest suites" ON)
option(GREENWAVE_BUILD_FUZZERS "Build the libFuzzer targets (needs clang)" OFF)
option(GREENWAVE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(GREENWAVE_SANITIZE_THREAD "Build with ThreadSanitizer (make tsan)" OFF)
option(GREENWAVE_WERROR "Treat warnings in project code as errors" ON)

find_program(GREENWAVE_CCACHE ccache)
if(GREENWAVE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER ${GREENWAVE_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${GREENWAVE_CCACHE})
endif()

# Any sanitizer report stops the program with an error (no recovering past undefined behaviour),
# so a test or fuzz run with one fails.
if(GREENWAVE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
if(GREENWAVE_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# Applies greenwave's warning set to one of the project's own targets.
function(greenwave_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  if(GREENWAVE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Declares one layer library: greenwave_<name> with alias greenwave::<name>,
# public headers in include/, sources as given.
function(greenwave_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(greenwave_${name} ${ARG_SOURCES})
  add_library(greenwave::${name} ALIAS greenwave_${name})
  target_include_directories(greenwave_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(greenwave_${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
  greenwave_target_defaults(greenwave_${name})
endfunction()

# Compiles proto/greenwave/v1/<name>.proto of the calling folder with protoc into
# ${CMAKE_CURRENT_BINARY_DIR}/gen; sets <name>_PROTO_CC (the generated source), <name>_PROTO_H (its
# header) and <name>_PROTO_DIR (the include folder) in the caller's scope. Generated code is not
# ours: it is compiled without the project's warning flags.
function(greenwave_proto name)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/proto/greenwave/v1/${name}.proto)
  set(cc ${out}/greenwave/v1/${name}.pb.cc)
  file(MAKE_DIRECTORY ${out})
  add_custom_command(
    OUTPUT ${cc} ${out}/greenwave/v1/${name}.pb.h
    COMMAND protobuf::protoc --cpp_out=${out} -I${CMAKE_CURRENT_SOURCE_DIR}/proto ${src}
    DEPENDS ${src} protobuf::protoc
    COMMENT "protoc greenwave/v1/${name}.proto")
  set_source_files_properties(${cc} PROPERTIES COMPILE_OPTIONS "-w")
  set(${name}_PROTO_CC ${cc} PARENT_SCOPE)
  set(${name}_PROTO_H ${out}/greenwave/v1/${name}.pb.h PARENT_SCOPE)
  set(${name}_PROTO_DIR ${out} PARENT_SCOPE)
endfunction()
