# The Debian package `strata` (`make deb`; packaging/debian/README.md):
# CPack's DEB generator over the install components library and tools
# (cmake/install.cmake, cmake/man.cmake) and debian: the systemd unit,
# /etc/default/strata-server, and the copyright, changelog and lintian
# overrides Debian asks of a package. The debian component installs to
# absolute paths, so it is EXCLUDE_FROM_ALL: `cmake --install` leaves it
# out, and only cpack, which names its components, installs it (into its
# staging directory). tests/install/deb_package_test.sh checks the package.
set(strata_deb_dir ${PROJECT_SOURCE_DIR}/packaging/debian)
set(STRATA_DEB_MAINTAINER
  "Strata maintainers <maintainers@users.noreply.b-seed-15eb56a3.example>"
  CACHE STRING "The Maintainer field of the Debian package")
install(FILES ${strata_deb_dir}/strata-server.service
  DESTINATION /lib/systemd/system COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${strata_deb_dir}/strata-server.default
  DESTINATION /etc/default RENAME strata-server
  COMPONENT debian EXCLUDE_FROM_ALL)
# finish_staging.cmake compresses the changelog (changelog.Debian.gz).
string(TIMESTAMP strata_deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${strata_deb_dir}/changelog.in
  ${PROJECT_BINARY_DIR}/debian/changelog.Debian @ONLY)
install(FILES ${strata_deb_dir}/copyright
  ${PROJECT_BINARY_DIR}/debian/changelog.Debian
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/strata
  COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${strata_deb_dir}/lintian-overrides
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME strata
  COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VENDOR Strata)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${STRATA_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Prometheus-compatible time-series database, server and library")
# The extended description; CPack puts the summary above it and indents it
# (an empty line becomes a paragraph break).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Strata stores time series as Prometheus does and answers PromQL.

This package holds strata-server (remote write, remote read and
Prometheus's HTTP query API; a systemd service, strata-server.service,
configured in /etc/default/strata-server, storing into /var/lib/strata),
strata-tsdb (inspect, verify, back up, import and export a data
directory), and the library: headers, libstrata.a, libstrata.so (the C
ABI), a CMake package and strata.pc.
")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL library tools debian)
set(CPACK_DEBIAN_PACKAGE_NAME strata)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: dpkg-shlibdeps's list for the binaries and libstrata.so, plus
# adduser for postinst. Building the library's consumers needs the -dev
# packages (README.md, "Installing and linking"): suggested.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
  "libabsl-dev, libre2-dev, libxxhash-dev, liburing-dev, libzstd-dev, libroaring-dev, libsnappy-dev, pkg-config")
# shlibs for libstrata.so.0; packaging/debian/triggers runs ldconfig.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${strata_deb_dir}/conffiles ${strata_deb_dir}/triggers ${strata_deb_dir}/postinst
  ${strata_deb_dir}/prerm ${strata_deb_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Binaries without their debug info (RelWithDebInfo's are 10 times larger);
# finish_staging.cmake strips libstrata.a too and compresses the man pages
# and the changelog.
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${strata_deb_dir}/finish_staging.cmake)
set(CPACK_STRATA_STRIP ${CMAKE_STRIP})
include(CPack)
