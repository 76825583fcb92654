# Man pages of strata-server and strata-tsdb (section 1), written at build
# time from the binaries' --help by help2man (packaging/man/man_page.sh),
# and installed with the tools component (so also in the Debian package).
# Without help2man (a Debian package in the Makefile's DEPS) there are
# none: tests/install/man_page_test.sh then skips, or fails with CI=true.
# Not in sanitized builds (`make asan`, `make tsan`): running their
# binaries at build time could fail the build on a leak report, and the
# pages are the same as the plain build's.
if(STRATA_ASAN OR STRATA_TSAN)
  return()
endif()
find_program(STRATA_HELP2MAN help2man)
if(NOT STRATA_HELP2MAN)
  message(STATUS "help2man not found: no man pages (apt-get install help2man)")
  return()
endif()
set(strata_man_descriptions
  "strata-server=time-series storage server with Prometheus's remote write, remote read and HTTP query API"
  "strata-tsdb=inspect, verify, repair, import, export and back up a Strata data directory")
set(strata_man_pages)
foreach(entry ${strata_man_descriptions})
  string(REGEX REPLACE "=.*" "" tool "${entry}")
  string(REGEX REPLACE "^[^=]*=" "" description "${entry}")
  if(NOT TARGET ${tool})
    continue()
  endif()
  set(page ${PROJECT_BINARY_DIR}/man/${tool}.1)
  set(include ${PROJECT_SOURCE_DIR}/packaging/man/${tool}.h2m)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${PROJECT_SOURCE_DIR}/packaging/man/man_page.sh
            $<TARGET_FILE:${tool}> ${description} ${PROJECT_VERSION}
            ${include} ${page}
    DEPENDS ${tool} ${include} ${PROJECT_SOURCE_DIR}/packaging/man/man_page.sh
    COMMENT "Writing the man page ${tool}.1 (help2man)" VERBATIM)
  list(APPEND strata_man_pages ${page})
endforeach()
add_custom_target(strata_man ALL DEPENDS ${strata_man_pages})
install(FILES ${strata_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
  COMPONENT tools)
