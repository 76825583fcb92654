# What `cmake --install` puts under the prefix. Components:
#   library: include/strata/, libstrata.a (every module an embedding
#            program needs, merged into one archive), libstrata.so (the C
#            ABI), the CMake package (strataConfig.cmake: find_package(strata
#            CONFIG) gives strata::strata and strata::c) and strata.pc;
#   tools:   strata-server and strata-tsdb (their --help documents them).
# tests/install/ builds programs against an installed prefix.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The modules behind the public API and the C ABI, dependents first.
set(STRATA_ARCHIVE_MODULES
  capi promql db compact query block head wal index chunk util)
# Their third-party libraries, as strataConfig.cmake names them.
set(STRATA_LINK_DEPS
  absl::synchronization absl::strings absl::str_format absl::flat_hash_map
  absl::flat_hash_set absl::hash absl::time ${STRATA_ZSTD} roaring::roaring
  PkgConfig::strata_RE2 PkgConfig::strata_XXHASH PkgConfig::strata_URING
  snappy Threads::Threads)

# libstrata.a: the module archives merged with ar's MRI script.
set(archive ${PROJECT_BINARY_DIR}/libstrata.a)
set(mri "create ${archive}\n")
set(module_targets)
foreach(module ${STRATA_ARCHIVE_MODULES})
  string(APPEND mri "addlib $<TARGET_FILE:strata_${module}>\n")
  list(APPEND module_targets strata_${module})
endforeach()
string(APPEND mri "save\nend\n")
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/libstrata.mri CONTENT "${mri}")
add_custom_command(OUTPUT ${archive}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${archive}
  COMMAND sh -c "'${CMAKE_AR}' -M < '${PROJECT_BINARY_DIR}/libstrata.mri'"
  DEPENDS ${module_targets} ${PROJECT_BINARY_DIR}/libstrata.mri
  COMMENT "Merging the module archives into libstrata.a" VERBATIM)
add_custom_target(strata_archive ALL DEPENDS ${archive})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/strata
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT library)
install(FILES ${archive} DESTINATION ${CMAKE_INSTALL_LIBDIR}
  COMPONENT library)
install(TARGETS strata_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library
  NAMELINK_COMPONENT library)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/strata)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/strataConfig.cmake.in
  ${PROJECT_BINARY_DIR}/strataConfig.cmake
  INSTALL_DESTINATION ${config_dir}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/strataConfig.cmake
  ${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  DESTINATION ${config_dir} COMPONENT library)

# strata.pc, relocatable: its prefix is found from where it lies.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH STRATA_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${pc_dir}
  ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/strata.pc.in
  ${PROJECT_BINARY_DIR}/strata.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/strata.pc DESTINATION ${pc_dir}
  COMPONENT library)

foreach(tool strata-server strata-tsdb)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
      COMPONENT tools)
  endif()
endforeach()
