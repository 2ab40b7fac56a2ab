# bench_indexes: in-process secondary-index benchmarks (issue #4). Included from CMakeLists.txt.
add_executable(bench_indexes ${CMAKE_CURRENT_LIST_DIR}/bench_indexes.cpp)
target_link_libraries(bench_indexes PRIVATE dds_allocator dds_query dds_index dds_storage)
