/* The parts of token exchange, step-up and challenges that need no server, in C under valgrind
 * and ASan: the JSON string of auth_parse_challenge owned and freed by the caller, the
 * issued token type kept by serialization, arguments refused before any request, NULLs and
 * out-parameters. (The flows themselves: tests/token_exchange.rs, tests/ciba.rs,
 * tests/step_up.rs against the real provider.) */
#include "authtoken.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

static void test_parse_challenge(void) {
  char *json = (char *)0x1;
  CHECK_RC(auth_parse_challenge("Bearer error=\"insufficient_user_authentication\", "
                                "acr_values=\"a b\", max_age=5, Basic abc==",
                                &json),
           AUTH_OK);
  CHECK_STR(json, "[{\"params\":{\"acr_values\":\"a b\",\"error\":"
                  "\"insufficient_user_authentication\",\"max_age\":\"5\"},\"scheme\":\"Bearer\"},"
                  "{\"scheme\":\"Basic\",\"token68\":\"abc==\"}]");
  auth_string_free(json);
  json = (char *)0x1;
  CHECK_RC(auth_parse_challenge("Bearer realm=\"open", &json), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(json == NULL);
  CHECK(strstr(auth_last_error(), "WWW-Authenticate") != NULL);
  CHECK_RC(auth_parse_challenge(NULL, &json), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_parse_challenge("Basic", NULL), AUTH_ERROR_INVALID_ARGUMENT);
}

static void test_issued_token_type(void) {
  auth_token *t = NULL, *back = NULL;
  CHECK_RC(auth_import_token(NULL,
                             "{\"access_token\":\"a\",\"issued_token_type\":"
                             "\"urn:ietf:params:oauth:token-type:jwt\"}",
                             &t),
           AUTH_OK);
  CHECK_STR(auth_token_issued_token_type(t), "urn:ietf:params:oauth:token-type:jwt");
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_RC(auth_token_serialize(t, &buf, &len), AUTH_OK);
  CHECK_RC(auth_token_deserialize(buf, len, &back), AUTH_OK);
  CHECK_STR(auth_token_issued_token_type(back), "urn:ietf:params:oauth:token-type:jwt");
  auth_bytes_free(buf, len);
  auth_token_free(back);
  auth_token_free(t);
  CHECK_RC(auth_import_token(NULL, "{\"access_token\":\"a\"}", &t), AUTH_OK);
  CHECK_STR(auth_token_issued_token_type(t), "");
  auth_token_free(t);
  CHECK_STR(auth_token_issued_token_type(NULL), "");
}

static void test_arguments_refused_before_any_request(void) {
  auth_params *p = NULL;
  auth_token *t = (auth_token *)0x1;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "svc"), AUTH_OK);
  /* Nothing listens on port 9, and nothing is sent: every call below fails before. */
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "http://127.0.0.1:9/token"), AUTH_OK);
  CHECK_RC(auth_exchange_token(p, "", NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK_RC(auth_exchange_token(p, "subject", "not a URI", &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_exchange_token(p, NULL, NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_exchange_token(NULL, "subject", NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_exchange_token(p, "subject", NULL, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_ACTOR_TOKEN_TYPE, "urn:ietf:params:oauth:token-type:jwt"),
           AUTH_OK);
  CHECK_RC(auth_exchange_token(p, "subject", NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(auth_last_error(), "AUTH_OPT_ACTOR_TOKEN") != NULL);
  CHECK_RC(auth_params_set(p, AUTH_OPT_ACTOR_TOKEN_TYPE, NULL), AUTH_OK);
  /* Step-up: no step-up asked, a flow that signs no user in, NULLs. */
  CHECK_RC(auth_step_up(p, "Bearer error=\"invalid_token\"", &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, "client_credentials"), AUTH_OK);
  CHECK_RC(auth_step_up(p, "Bearer error=\"insufficient_user_authentication\"", &t),
           AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(auth_last_error(), "client_credentials") != NULL);
  CHECK_RC(auth_step_up(p, NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_step_up(NULL, "Bearer", &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  /* Options 44-49 are checked when set. */
  CHECK_RC(auth_params_set(p, AUTH_OPT_REQUESTED_TOKEN_TYPE, "jwt"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CIBA_URL, "http://example.com/bc"),
           AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_BINDING_MESSAGE, "W4SC\n"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, "ciba"), AUTH_OK);
  auth_params_free(p);
}

int main(void) {
  test_parse_challenge();
  test_issued_token_type();
  test_arguments_refused_before_any_request();
  return check_summary("test_grants");
}
