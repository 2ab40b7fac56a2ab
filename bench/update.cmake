# bench_update: update application on a ~1 KB document (issue #3). Included from CMakeLists.txt.
if(benchmark_FOUND)
  add_executable(bench_update ${CMAKE_CURRENT_LIST_DIR}/bench_update.cpp
                 ${CMAKE_CURRENT_LIST_DIR}/bench_common.cpp)
  target_link_libraries(bench_update PRIVATE dds_update benchmark::benchmark)
endif()
