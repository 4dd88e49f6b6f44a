/* The token-endpoint part of the C API where no server is needed: refresh, revocation and
 * introspection of tokens that cannot do them, NULLs, out-parameters set to NULL on failure,
 * and a JWT assertion signed and freed by the caller. (No HTTP here: the requests themselves
 * are tested against the real provider in tests/token_endpoint.rs and the fault stub in
 * tests/fault_stub.rs.) Run from the repository root under valgrind by scripts/test. */
#include "authtoken.h"
#include "check.h"

#include <stdlib.h>

static auth_token *imported(const char *token_url, const char *json) {
  auth_params *p = NULL;
  auth_token *t = NULL;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "c"), AUTH_OK);
  if (token_url != NULL) {
    CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, token_url), AUTH_OK);
  }
  CHECK_RC(auth_import_token(token_url != NULL ? p : NULL, json, &t), AUTH_OK);
  auth_params_free(p);
  return t;
}

static void test_not_refreshable(void) {
  auth_token *out = (auth_token *)0x1;
  auth_token *t = imported(NULL, "{\"access_token\":\"a\",\"refresh_token\":\"r\"}");
  CHECK_RC(auth_refresh_token(t, &out), AUTH_ERROR_NOT_REFRESHABLE);
  CHECK(out == NULL);
  CHECK(strstr(auth_last_error(), "token endpoint") != NULL);
  auth_token_free(t);

  t = imported("http://127.0.0.1:9/token", "{\"access_token\":\"a\"}");
  out = (auth_token *)0x1;
  CHECK_RC(auth_refresh_token(t, &out), AUTH_ERROR_NOT_REFRESHABLE);
  CHECK(out == NULL);
  CHECK(strstr(auth_last_error(), "refresh token") != NULL);
  CHECK_RC(auth_refresh_token(t, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  auth_token_free(t);
}

static void test_no_endpoints(void) {
  auth_token *t = imported("http://127.0.0.1:9/token", "{\"access_token\":\"a\"}");
  char *json = (char *)0x1;
  CHECK_RC(auth_revoke_token(t), AUTH_ERROR_UNSUPPORTED);
  CHECK(strstr(auth_last_error(), "revocation") != NULL);
  CHECK_RC(auth_introspect_token(t, &json), AUTH_ERROR_UNSUPPORTED);
  CHECK(json == NULL);
  CHECK(strstr(auth_last_error(), "introspection") != NULL);
  auth_token_free(t);
}

static void test_nulls(void) {
  auth_token *out = (auth_token *)0x1;
  char *s = (char *)0x1;
  CHECK_RC(auth_refresh_token(NULL, &out), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_RC(auth_revoke_token(NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_introspect_token(NULL, &s), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(s == NULL);
  s = (char *)0x1;
  CHECK_RC(auth_create_jwt_assertion(NULL, &s), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(s == NULL);
  out = (auth_token *)0x1;
  CHECK_RC(auth_identify(NULL, &out), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  auth_string_free(NULL);
}

static void test_jwt_assertion(void) {
  auth_params *p = NULL;
  char *jwt = NULL;
  CHECK_RC(auth_params_new(AUTH_KIND_JWT, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "svc"), AUTH_OK);
  /* No key yet: nothing to sign with. */
  jwt = (char *)0x1;
  CHECK_RC(auth_create_jwt_assertion(p, &jwt), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(jwt == NULL);
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_PRIVATE_KEY, "tests/provider/keys/client-ec.pem"),
           AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_ALGORITHM, "ES256"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_KEY_ID, "client-ec"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_AUDIENCE, "https://idp.example/token"), AUTH_OK);
  CHECK_RC(auth_create_jwt_assertion(p, &jwt), AUTH_OK);
  CHECK(jwt != NULL && strncmp(jwt, "eyJ", 3) == 0);
  {
    int dots = 0;
    for (const char *c = jwt; c != NULL && *c != '\0'; c++) dots += *c == '.';
    CHECK(dots == 2);
  }
  auth_string_free(jwt);
  /* A key that does not fit the algorithm is refused, and the message does not show it. */
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_ALGORITHM, "RS256"), AUTH_OK);
  jwt = (char *)0x1;
  CHECK_RC(auth_create_jwt_assertion(p, &jwt), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(jwt == NULL);
  CHECK(strstr(auth_last_error(), "PRIVATE KEY-----") == NULL);
  auth_params_free(p);
}

static void test_identify_without_token_endpoint(void) {
  auth_params *p = NULL;
  auth_token *t = (auth_token *)0x1;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "svc"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_SECRET, "s"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, "client_credentials"), AUTH_OK);
  CHECK_RC(auth_identify(p, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK(strstr(auth_last_error(), "AUTH_OPT_TOKEN_URL") != NULL);
  auth_params_free(p);
}

int main(void) {
  test_not_refreshable();
  test_no_endpoints();
  test_nulls();
  test_jwt_assertion();
  test_identify_without_token_endpoint();
  return check_summary("test_token_endpoint");
}
