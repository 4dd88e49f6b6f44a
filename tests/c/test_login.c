/* The login part of the C API without a provider: the two-step login (begin, url, complete
 * with forged and refused answers, free), auth_identify ending in the open-URL callback, and
 * NULLs. Run under valgrind by scripts/test (the flows against a provider and a browser are
 * in tests/login_*.rs). */
#include "authtoken.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static auth_params *params(const char *redirect) {
  auth_params *p = NULL;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "app"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_AUTH_URL, "https://idp.example/authorize"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "https://idp.example/token"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, redirect), AUTH_OK);
  return p;
}

/* The value of `name=` in a URL's query, copied into buf. */
static void query_value(const char *url, const char *name, char *buf, size_t size) {
  char key[64];
  snprintf(key, sizeof key, "%s=", name);
  const char *at = strstr(url, key);
  buf[0] = '\0';
  if (at == NULL) return;
  at += strlen(key);
  size_t n = strcspn(at, "&");
  if (n >= size) n = size - 1;
  memcpy(buf, at, n);
  buf[n] = '\0';
}

static void test_two_step(void) {
  auth_params *p = params("com.example.app:/oauth");
  auth_login *login = NULL;
  CHECK_RC(auth_login_begin(p, &login), AUTH_OK);
  const char *url = auth_login_url(login);
  CHECK(strncmp(url, "https://idp.example/authorize?", 30) == 0);
  CHECK(strstr(url, "code_challenge_method=S256") != NULL);
  CHECK(strstr(url, "redirect_uri=com.example.app%3A%2Foauth") != NULL);
  char state[128], answer[512];
  query_value(url, "state", state, sizeof state);
  CHECK(strlen(state) >= 43);

  auth_token *t = (auth_token *)0x1;
  CHECK_RC(auth_login_complete(login, "com.example.app:/oauth?code=c&state=forged", &t),
           AUTH_ERROR_STATE_MISMATCH);
  CHECK(t == NULL);
  snprintf(answer, sizeof answer, "com.example.app:/oauth?error=access_denied&state=%s", state);
  CHECK_RC(auth_login_complete(login, answer, &t), AUTH_ERROR_ACCESS_DENIED);
  CHECK_STR(auth_last_oauth_error(), "access_denied");
  CHECK_RC(auth_login_complete(login, NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_login_complete(NULL, answer, &t), AUTH_ERROR_INVALID_ARGUMENT);
  auth_login_free(login);
  auth_params_free(p);
}

static void test_begin_needs_a_redirect(void) {
  auth_params *p = params("http://127.0.0.1:0/");
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, NULL), AUTH_OK);
  auth_login *login = (auth_login *)0x1;
  CHECK_RC(auth_login_begin(p, &login), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(login == NULL);
  CHECK_RC(auth_login_begin(NULL, &login), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_STR(auth_login_url(NULL), "");
  auth_login_free(NULL);
  auth_params_free(p);
}

static int seen_calls = 0;
static int refuse(void *user_data, const char *url) {
  (void)user_data;
  seen_calls++;
  CHECK(strstr(url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A") != NULL);
  return 1;
}

static void test_identify_cancelled_by_the_callback(void) {
  auth_params *p = params("http://127.0.0.1:0/callback");
  CHECK_RC(auth_params_set_open_url(p, refuse, NULL), AUTH_OK);
  auth_token *t = (auth_token *)0x1;
  CHECK_RC(auth_identify(p, &t), AUTH_ERROR_CANCELLED);
  CHECK(t == NULL);
  CHECK(seen_calls == 1);
  /* An https redirect cannot be listened on. */
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, "https://app.example/cb"), AUTH_OK);
  CHECK_RC(auth_identify(p, &t), AUTH_ERROR_REDIRECT);
  CHECK(seen_calls == 1);
  auth_params_free(p);
}

int main(void) {
  test_two_step();
  test_begin_needs_a_redirect();
  test_identify_cancelled_by_the_callback();
  return check_summary("test_login");
}
