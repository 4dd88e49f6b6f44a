# Version of the installed authtoken package: the crate's version (Cargo.toml; checked by
# scripts/check-install and bindings/cpp/test). Before 1.0 every minor release may break the
# ABI (the soname is libauthtoken.so.0.MINOR), so a request for 0.y is met by 0.y.z only; from
# 1.0 on, by the same major version. Never by an older version than asked.
set(PACKAGE_VERSION "0.1.0")

if(PACKAGE_FIND_VERSION STREQUAL "")
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
else()
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _authtoken_match "${PACKAGE_VERSION}")
  set(_authtoken_major "${CMAKE_MATCH_1}")
  set(_authtoken_minor "${CMAKE_MATCH_2}")
  if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION
     OR NOT PACKAGE_FIND_VERSION_MAJOR EQUAL _authtoken_major
     OR (_authtoken_major EQUAL 0 AND NOT PACKAGE_FIND_VERSION_MINOR EQUAL _authtoken_minor))
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
    if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
      set(PACKAGE_VERSION_EXACT TRUE)
    endif()
  endif()
  unset(_authtoken_match)
  unset(_authtoken_major)
  unset(_authtoken_minor)
endif()
