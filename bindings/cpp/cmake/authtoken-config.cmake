# CMake package configuration of authtoken, installed by `cargo cinstall` (Cargo.toml,
# [package.metadata.capi.install.data]) as
#   <prefix>/share/authtoken/cmake/authtoken-config.cmake
# where find_package looks (<prefix>/share/<name>*/cmake/). Then `find_package(authtoken)` gives:
#   authtoken::authtoken   the C library with authtoken.h
#   authtoken::cpp         the same plus authtoken.hpp (header-only C++17 wrapper); also the
#                          component `cpp`: find_package(authtoken REQUIRED COMPONENTS cpp)
# The headers are in <prefix>/include/authtoken/ (the include path, as in authtoken.pc), the
# library in <prefix>/lib, lib64 or lib/<multiarch>. They are taken from this prefix first;
# when the library was installed elsewhere (an absolute --libdir), through pkg-config
# (authtoken.pc), then from the usual system places.

get_filename_component(_authtoken_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

find_path(AUTHTOKEN_INCLUDE_DIR authtoken.h
  PATHS "${_authtoken_prefix}/include/authtoken" NO_DEFAULT_PATH)
find_library(AUTHTOKEN_LIBRARY NAMES authtoken
  PATHS "${_authtoken_prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}" "${_authtoken_prefix}/lib64"
        "${_authtoken_prefix}/lib"
  NO_DEFAULT_PATH)

if(NOT AUTHTOKEN_INCLUDE_DIR OR NOT AUTHTOKEN_LIBRARY)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(PC_AUTHTOKEN QUIET authtoken)
  endif()
  find_path(AUTHTOKEN_INCLUDE_DIR authtoken.h
    HINTS ${PC_AUTHTOKEN_INCLUDE_DIRS} PATH_SUFFIXES authtoken)
  find_library(AUTHTOKEN_LIBRARY NAMES authtoken HINTS ${PC_AUTHTOKEN_LIBRARY_DIRS})
endif()

# The C++ wrapper is installed beside authtoken.h.
set(authtoken_cpp_FOUND FALSE)
if(AUTHTOKEN_INCLUDE_DIR AND EXISTS "${AUTHTOKEN_INCLUDE_DIR}/authtoken.hpp")
  set(authtoken_cpp_FOUND TRUE)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(authtoken
  REQUIRED_VARS AUTHTOKEN_LIBRARY AUTHTOKEN_INCLUDE_DIR
  VERSION_VAR authtoken_VERSION
  HANDLE_COMPONENTS)

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

  if(authtoken_cpp_FOUND)
    add_library(authtoken::cpp INTERFACE IMPORTED)
    set_target_properties(authtoken::cpp PROPERTIES
      INTERFACE_LINK_LIBRARIES authtoken::authtoken
      INTERFACE_COMPILE_FEATURES cxx_std_17)
  endif()
endif()

mark_as_advanced(AUTHTOKEN_INCLUDE_DIR AUTHTOKEN_LIBRARY)
unset(_authtoken_prefix)
