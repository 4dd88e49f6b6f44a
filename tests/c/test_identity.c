/* The identity part of the C API without a provider: what auth_read_identity and
 * auth_get_user_info do with nothing to read and with NULLs; the identity getters on NULL.
 * (No HTTP here: the process-wide HTTP client and runtime show up as "possibly lost" under
 * valgrind.) Run under valgrind by scripts/test (the success paths against a
 * provider are in tests/identity_c_api.rs and tests/identity_real_provider.rs). */
#include "authtoken.h"
#include "check.h"

#include <stdlib.h>

static auth_token *imported(const char *userinfo_url) {
  auth_params *p = NULL;
  auth_token *t = NULL;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "c"), AUTH_OK);
  if (userinfo_url != NULL) {
    CHECK_RC(auth_params_set(p, AUTH_OPT_USERINFO_URL, userinfo_url), AUTH_OK);
    CHECK_RC(auth_params_set(p, AUTH_OPT_HTTP_TIMEOUT, "5"), AUTH_OK);
  }
  CHECK_RC(auth_import_token(p, "{\"access_token\":\"at\",\"token_type\":\"Bearer\"}", &t),
           AUTH_OK);
  auth_params_free(p);
  return t;
}

static void test_nothing_to_read(void) {
  auth_token *t = imported(NULL);
  auth_identity *id = (auth_identity *)0x1;
  CHECK_RC(auth_read_identity(t, &id), AUTH_ERROR_UNSUPPORTED);
  CHECK(id == NULL);
  CHECK(strstr(auth_last_error(), "userinfo") != NULL);
  id = (auth_identity *)0x1;
  CHECK_RC(auth_get_user_info(t, &id), AUTH_ERROR_UNSUPPORTED);
  CHECK(id == NULL);
  CHECK_RC(auth_read_identity(t, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  auth_token_free(t);
}

static void test_nulls(void) {
  auth_identity *id = (auth_identity *)0x1;
  CHECK_RC(auth_read_identity(NULL, &id), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(id == NULL);
  id = (auth_identity *)0x1;
  CHECK_RC(auth_get_user_info(NULL, &id), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(id == NULL);
  CHECK(!auth_identity_is_valid(NULL));
  CHECK_STR(auth_identity_source(NULL), "");
  CHECK_STR(auth_identity_subject(NULL), "");
  CHECK_STR(auth_identity_email(NULL), "");
  CHECK_STR(auth_identity_first_name(NULL), "");
  CHECK_STR(auth_identity_last_name(NULL), "");
  CHECK_STR(auth_identity_name(NULL), "");
  CHECK_STR(auth_identity_id_token(NULL), "");
  CHECK(auth_identity_claim(NULL, "sub") == NULL);
  auth_identity_free(NULL);
}

int main(void) {
  test_nothing_to_read();
  test_nulls();
  return check_summary("test_identity");
}
