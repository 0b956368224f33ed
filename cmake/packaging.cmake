# Install rules for everything but the binary, and the Debian package (CPack
# DEB). Included from the top-level CMakeLists.txt after the `sluiced` target
# and its install(TARGETS) rule:
#
#   include(cmake/packaging.cmake)
#
# `cmake --build BUILD --target package` then writes BUILD/sluiced_<ver>_<arch>.deb.
# Layout: docs/operations.md, "Debian package". Absolute destinations
# (/lib/systemd/system, /etc) are kept as they are by `cmake --install` and
# by the package; everything else goes under CMAKE_INSTALL_PREFIX (/usr in
# the package).

set(SLUICED_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH
    "Where the systemd unit is installed (Debian 12's systemdsystemunitdir)")
set(SLUICED_SYSCONF_DIR "/etc" CACHE PATH
    "System configuration directory for sluiced/pipelines.d and default/sluiced")
set(SLUICED_PACKAGE_MAINTAINER "sluiced maintainers <sluiced@example.org>" CACHE STRING
    "Maintainer field of the Debian package")

set(_pkg ${CMAKE_CURRENT_LIST_DIR}/../packaging)
get_filename_component(_pkg ${_pkg} ABSOLUTE)

# ---- files ----
install(FILES ${_pkg}/sluiced.service
        DESTINATION ${SLUICED_SYSTEMD_UNIT_DIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/../schemas/pipeline.schema.json
        DESTINATION share/sluiced
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Comments only: a valid, empty configuration (spec §1), so the service
# starts and idles on a fresh install.
install(FILES ${_pkg}/pipelines.d/example.yaml
        DESTINATION ${SLUICED_SYSCONF_DIR}/sluiced/pipelines.d
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# May hold API tokens: 0600.
install(FILES ${_pkg}/default/sluiced
        DESTINATION ${SLUICED_SYSCONF_DIR}/default
        PERMISSIONS OWNER_READ OWNER_WRITE)

# The 0600 above is on purpose.
install(FILES ${_pkg}/lintian/sluiced DESTINATION share/lintian/overrides
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Man page, gzip'd as Debian policy wants (-n: no name or time stamp, so the
# result is reproducible).
find_program(SLUICED_GZIP gzip)
if(SLUICED_GZIP)
  set(_man_gz ${CMAKE_CURRENT_BINARY_DIR}/sluiced.1.gz)
  add_custom_command(
    OUTPUT ${_man_gz}
    COMMAND ${SLUICED_GZIP} -9 -n -c ${_pkg}/sluiced.1 > ${_man_gz}
    DEPENDS ${_pkg}/sluiced.1
    COMMENT "Compressing sluiced.1"
    VERBATIM)
  add_custom_target(sluiced_manpage ALL DEPENDS ${_man_gz})
  install(FILES ${_man_gz} DESTINATION share/man/man1
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
else()
  install(FILES ${_pkg}/sluiced.1 DESTINATION share/man/man1
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()

# ---- Debian package ----
# dpkg writes no conffiles list for us and CPack none either: every file
# under /etc must be listed, or dpkg overwrites admin edits on upgrade.
set(_ctl ${CMAKE_CURRENT_BINARY_DIR}/debian-control)
file(MAKE_DIRECTORY ${_ctl})
file(WRITE ${_ctl}/conffiles
     "${SLUICED_SYSCONF_DIR}/default/sluiced\n"
     "${SLUICED_SYSCONF_DIR}/sluiced/pipelines.d/example.yaml\n")
foreach(_s postinst prerm postrm)
  # Copied at configure time; an edit re-runs the configure step.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_pkg}/debian/${_s})
  file(COPY ${_pkg}/debian/${_s} DESTINATION ${_ctl}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                        GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "sluiced")
set(CPACK_PACKAGE_VENDOR "sluiced")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${SLUICED_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "scheduled HTTP-to-NDJSON pipelines (ETL daemon)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "sluiced runs pipelines described in YAML files: on a schedule, each\n"
    "pipeline fetches JSON or NDJSON from an HTTP(S) API (pagination, retries,\n"
    "rate limits, OAuth2, incremental cursors), filters and reshapes the\n"
    "records, and appends or atomically writes them as NDJSON files.\n"
    "It runs as a hardened systemd service with sd_notify, watchdog,\n"
    "reload on SIGHUP, Prometheus metrics and structured journal logs.")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SLUICED_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries from dpkg-shlibdeps (needs dpkg-dev and file).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_ctl}/conffiles;${_ctl}/postinst;${_ctl}/prerm;${_ctl}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/;/build[^/]*/;__pycache__")

include(CPack)
