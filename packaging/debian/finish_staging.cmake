# CPack pre-build script (cmake/package.cmake), run on the staging
# directory before the package is made: strips the debug info from the
# static archives (CPACK_STRIP_FILES strips only the installed binaries and
# shared library) and compresses the man pages and the changelog as Debian
# policy asks (gzip -9n: no name or time stamp in the .gz).
file(GLOB_RECURSE archives "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.a")
foreach(archive ${archives})
  execute_process(COMMAND ${CPACK_STRATA_STRIP} --strip-debug ${archive}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strip --strip-debug ${archive} failed: ${rc}")
  endif()
endforeach()
file(GLOB_RECURSE pages "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.1")
list(FILTER pages INCLUDE REGEX "/share/man/man1/[^/]+\\.1$")
file(GLOB_RECURSE changelogs
  "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/changelog.Debian")
foreach(page ${pages} ${changelogs})
  execute_process(COMMAND gzip -9nf ${page} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip -9n ${page} failed: ${rc}")
  endif()
endforeach()
