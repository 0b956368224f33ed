# libFuzzer targets, injected into the main build without editing
# CMakeLists.txt: tests/fuzz/run-fuzz.sh configures build-fuzz with
#   -DCMAKE_PROJECT_INCLUDE=tests/fuzz/targets.cmake
#   -DCMAKE_CXX_COMPILER=clang++ -DSLUICED_SANITIZE=ON
#   -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link
# This file runs at the end of project(); the targets are added once the
# whole CMakeLists.txt has been read (cmake_language DEFER), so they link the
# sluiced_* libraries with their real, transitive dependencies.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "tests/fuzz/targets.cmake needs clang++ (libFuzzer); got ${CMAKE_CXX_COMPILER_ID}")
endif()

function(sluiced_fuzz_targets)
  set(_dir ${CMAKE_SOURCE_DIR}/tests/fuzz)
  set(_all)
  foreach(pair json:sluiced_json expr:sluiced_expr decode:sluiced_run config:sluiced_config
               cron:sluiced_schedule link:sluiced_source units:sluiced_config)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 name)
    list(GET pair 1 lib)
    add_executable(fuzz_${name} EXCLUDE_FROM_ALL ${_dir}/fuzz_${name}.cpp)
    target_include_directories(fuzz_${name} PRIVATE ${_dir})
    target_link_libraries(fuzz_${name} PRIVATE ${lib})
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    list(APPEND _all fuzz_${name})
  endforeach()
  add_custom_target(fuzz_all DEPENDS ${_all})
endfunction()

cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL sluiced_fuzz_targets)
