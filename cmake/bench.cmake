# Benchmark programs (issue 6, docs/performance.md). Not built by default:
#   cmake --build BUILD --target bench_simdjson_scan bench_expr bench_peak_rss
# tests/bench/run_bench.py builds the same programs itself with g++ from the
# build dir's static libraries, so it does not need these targets.
# Included from the top-level CMakeLists.txt: include(cmake/bench.cmake)

# The parse ceiling: a bare simdjson On-Demand scan doing the benchmark's
# filter + map. Portable flags, as the package is built.
add_executable(bench_simdjson_scan EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tests/bench/simdjson_scan.cpp)
target_link_libraries(bench_simdjson_scan PRIVATE simdjson::simdjson)

# W4: the stage chain alone on records in memory.
add_executable(bench_expr EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tests/bench/expr_bench.cpp)
target_link_libraries(bench_expr PRIVATE sluiced_stage)

# Peak RSS of a command, not counting the launcher's memory.
add_executable(bench_peak_rss EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tests/bench/peak_rss.cpp)
