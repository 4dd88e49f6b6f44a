# CMake package configuration of authtoken, installed beside the library:
#   <prefix>/lib/cmake/authtoken/authtoken-config.cmake
# Then `find_package(authtoken REQUIRED)` gives:
#   authtoken::authtoken   the C library with authtoken.h
#   authtoken::cpp         the same plus authtoken.hpp (header-only C++17 wrapper)
# The library and headers are looked for in this installation prefix first, then through
# pkg-config (authtoken.pc, as `cargo cinstall` writes it), then in the usual system places.

get_filename_component(_authtoken_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

find_path(AUTHTOKEN_INCLUDE_DIR authtoken.h
  HINTS "${_authtoken_prefix}/include" PATH_SUFFIXES authtoken)
find_library(AUTHTOKEN_LIBRARY NAMES authtoken
  HINTS "${_authtoken_prefix}/lib" "${_authtoken_prefix}/lib64")

if(NOT AUTHTOKEN_INCLUDE_DIR OR NOT AUTHTOKEN_LIBRARY)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(PC_AUTHTOKEN QUIET authtoken)
    find_path(AUTHTOKEN_INCLUDE_DIR authtoken.h HINTS ${PC_AUTHTOKEN_INCLUDE_DIRS} PATH_SUFFIXES authtoken)
    find_library(AUTHTOKEN_LIBRARY NAMES authtoken HINTS ${PC_AUTHTOKEN_LIBRARY_DIRS})
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(authtoken
  REQUIRED_VARS AUTHTOKEN_LIBRARY AUTHTOKEN_INCLUDE_DIR
  VERSION_VAR authtoken_VERSION)

if(authtoken_FOUND AND NOT TARGET authtoken::authtoken)
  add_library(authtoken::authtoken UNKNOWN IMPORTED)
  set_target_properties(authtoken::authtoken PROPERTIES
    IMPORTED_LOCATION "${AUTHTOKEN_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${AUTHTOKEN_INCLUDE_DIR}")
  if(AUTHTOKEN_LIBRARY MATCHES "\\.a$")
    # The static library needs what the Rust standard library uses.
    find_package(Threads REQUIRED)
    set_property(TARGET authtoken::authtoken APPEND PROPERTY
      INTERFACE_LINK_LIBRARIES Threads::Threads ${CMAKE_DL_LIBS} m)
  endif()

  add_library(authtoken::cpp INTERFACE IMPORTED)
  set_target_properties(authtoken::cpp PROPERTIES
    INTERFACE_LINK_LIBRARIES authtoken::authtoken
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()

mark_as_advanced(AUTHTOKEN_INCLUDE_DIR AUTHTOKEN_LIBRARY)
unset(_authtoken_prefix)
