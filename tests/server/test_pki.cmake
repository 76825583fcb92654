# strata_test_pki: a throwaway CA, server and client certificates
# (test_pki.h), for the TLS tests and bench/compare's TLS scenario, which is
# built without the tests too (make bench-compare). Defined once, by
# whichever directory includes this file first.
include_guard(GLOBAL)
find_package(OpenSSL REQUIRED)
add_library(strata_test_pki STATIC ${CMAKE_CURRENT_LIST_DIR}/test_pki.cc)
target_include_directories(strata_test_pki PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(strata_test_pki PUBLIC strata_util OpenSSL::Crypto)
