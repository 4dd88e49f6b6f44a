/* The foundation of the C API: results and names, last error, params, tokens, the binary
 * format and token files, with NULL and bad-input paths. Run under valgrind by scripts/test. */
#include "authtoken.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void test_results_and_version(void) {
  CHECK(strlen(auth_version()) > 0);
  CHECK_STR(auth_result_name(AUTH_OK), "AUTH_OK");
  CHECK_STR(auth_result_name(AUTH_ERROR_INVALID_GRANT), "AUTH_ERROR_INVALID_GRANT");
  CHECK_STR(auth_result_name(AUTH_ERROR_UNSUPPORTED), "AUTH_ERROR_UNSUPPORTED");
  CHECK_STR(auth_result_name(AUTH_ERROR_INTERNAL), "AUTH_ERROR_INTERNAL");
  CHECK_STR(auth_result_name((auth_result)12345), "AUTH_ERROR_UNKNOWN");
  CHECK(AUTH_ERROR_FORMAT == 15 && AUTH_ERROR_INTERNAL == 99 && AUTH_OPT_CLOCK_SKEW == 31);
  CHECK_STR(auth_last_error(), "");
  CHECK_STR(auth_last_oauth_error(), "");
  CHECK(auth_last_http_status() == 0);
}

static void test_params(void) {
  auth_params *p = (auth_params *)0x1;
  CHECK_RC(auth_params_new((auth_kind)7, &p), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(p == NULL);
  CHECK(strstr(auth_last_error(), "auth_kind 7") != NULL);
  CHECK_RC(auth_params_new(AUTH_KIND_OPENID, NULL), AUTH_ERROR_INVALID_ARGUMENT);

  CHECK_RC(auth_params_new(AUTH_KIND_OPENID, &p), AUTH_OK);
  CHECK(p != NULL);
  CHECK_STR(auth_last_error(), "");
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "my-client"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CONFIGURATION_URL,
                           "https://idp.example/.well-known/openid-configuration"),
           AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "http://example.com/token"),
           AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(auth_last_error(), "loopback") != NULL);
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "http://127.0.0.1:9/token"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "::not a url::"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, "https://app.example/cb"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, "http://app.example/cb"),
           AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_PKCE, "S512"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_PKCE, "S256"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_AUTH, "basic"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_AUTH, "magic"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, "device"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, "password"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_HTTP_TIMEOUT, "abc"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_HTTP_TIMEOUT, "5"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_ADDITIONAL_PARAMETERS, "prompt=consent&access_type=offline"),
           AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_ADDITIONAL_PARAMETERS, "state=forged"),
           AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_JWT_PRIVATE_KEY, "/nonexistent/key.pem"), AUTH_ERROR_IO);
  CHECK(strstr(auth_last_error(), "/nonexistent/key.pem") != NULL);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CA_FILE, "/nonexistent/ca.pem"), AUTH_ERROR_IO);
  /* NULL resets to the default. */
  CHECK_RC(auth_params_set(p, AUTH_OPT_FLOW, NULL), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_SECRET, NULL), AUTH_OK);
  /* Bad handles, options and strings. */
  CHECK_RC(auth_params_set(NULL, AUTH_OPT_CLIENT_ID, "x"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, (auth_option)0, "x"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, (auth_option)999, "x"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "bad \xff utf-8"), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(auth_last_error(), "UTF-8") != NULL);
  CHECK_RC(auth_params_set_open_url(NULL, NULL, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_set_open_url(p, NULL, NULL), AUTH_OK);
  CHECK_RC(auth_params_set_device_prompt(p, NULL, NULL), AUTH_OK);
  CHECK_RC(auth_params_cancel(NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_params_cancel(p), AUTH_OK);
  auth_params_free(p);
  auth_params_free(NULL);

  /* JWT parameters have no interactive login. */
  CHECK_RC(auth_params_new(AUTH_KIND_JWT, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, "http://127.0.0.1:0/"),
           AUTH_ERROR_INVALID_ARGUMENT);
  auth_params_free(p);
}

static void test_import_and_getters(void) {
  auth_token *t = (auth_token *)0x1;
  CHECK_RC(auth_import_token(NULL,
                             "{\"access_token\":\"at-1\",\"token_type\":\"bearer\","
                             "\"expires_in\":\"3600\",\"refresh_token\":\"rt-1\","
                             "\"scope\":\"openid email\"}",
                             &t),
           AUTH_OK);
  CHECK(t != NULL);
  CHECK_STR(auth_token_value(t), "at-1");
  CHECK_STR(auth_token_refresh_token(t), "rt-1");
  CHECK_STR(auth_token_type(t), "Bearer");
  CHECK_STR(auth_token_scope(t), "openid email");
  CHECK_STR(auth_token_id_token(t), "");
  CHECK_STR(auth_token_authorization_header(t), "Bearer at-1");
  CHECK(strstr(auth_token_server_response(t), "\"rt-1\"") != NULL);
  int64_t now = (int64_t)time(NULL);
  CHECK(auth_token_expiration(t) >= now + 3590 && auth_token_expiration(t) <= now + 3610);
  CHECK(auth_token_is_valid(t));
  auth_token_free(t);

  /* No expires_in: expiration 0 and valid. Form-encoded bodies are read too. */
  CHECK_RC(auth_import_token(NULL, "access_token=abc&token_type=bearer", &t), AUTH_OK);
  CHECK(auth_token_expiration(t) == 0);
  CHECK(auth_token_is_valid(t));
  CHECK_STR(auth_token_refresh_token(t), "");
  auth_token_free(t);

  /* Expired. */
  CHECK_RC(auth_import_token(NULL, "{\"access_token\":\"a\",\"expires_in\":0}", &t), AUTH_OK);
  CHECK(!auth_token_is_valid(t));
  auth_token_free(t);

  /* Errors. */
  t = (auth_token *)0x1;
  CHECK_RC(auth_import_token(NULL, "{\"error\":\"access_denied\"}", &t), AUTH_ERROR_ACCESS_DENIED);
  CHECK(t == NULL);
  CHECK_STR(auth_last_oauth_error(), "access_denied");
  CHECK_RC(auth_import_token(NULL, "{\"error\":\"invalid_grant\",\"error_description\":\"gone\"}", &t),
           AUTH_ERROR_INVALID_GRANT);
  CHECK(strstr(auth_last_error(), "gone") != NULL);
  CHECK_RC(auth_import_token(NULL, "{\"error\":\"invalid_client\"}", &t), AUTH_ERROR_INVALID_CLIENT);
  CHECK_RC(auth_import_token(NULL, "{\"error\":\"temporarily_unavailable\"}", &t), AUTH_ERROR_OAUTH);
  CHECK_STR(auth_last_oauth_error(), "temporarily_unavailable");
  CHECK_RC(auth_import_token(NULL, "", &t), AUTH_ERROR_PROTOCOL);
  CHECK_STR(auth_last_oauth_error(), "");
  CHECK_RC(auth_import_token(NULL, "{not json", &t), AUTH_ERROR_PROTOCOL);
  CHECK_RC(auth_import_token(NULL, "{\"token_type\":\"Bearer\"}", &t), AUTH_ERROR_PROTOCOL);
  CHECK_RC(auth_import_token(NULL, "<html>oops</html>", &t), AUTH_ERROR_PROTOCOL);
  CHECK_RC(auth_import_token(NULL, NULL, &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_import_token(NULL, "{\"access_token\":\"\xff\"}", &t), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_import_token(NULL, "{\"access_token\":\"a\"}", NULL), AUTH_ERROR_INVALID_ARGUMENT);
  /* A success clears the last error. */
  CHECK_RC(auth_import_token(NULL, "{\"access_token\":\"a\"}", &t), AUTH_OK);
  CHECK_STR(auth_last_error(), "");
  auth_token_free(t);

  /* Getters on NULL never crash. */
  CHECK_STR(auth_token_value(NULL), "");
  CHECK_STR(auth_token_refresh_token(NULL), "");
  CHECK_STR(auth_token_authorization_header(NULL), "");
  CHECK(auth_token_expiration(NULL) == 0);
  CHECK(!auth_token_is_valid(NULL));
  auth_token_free(NULL);
}

static auth_token *sample_token(void) {
  auth_params *p = NULL;
  auth_token *t = NULL;
  if (auth_params_new(AUTH_KIND_OAUTH2, &p) != AUTH_OK) return NULL;
  auth_params_set(p, AUTH_OPT_CLIENT_ID, "client-1");
  auth_params_set(p, AUTH_OPT_CLIENT_SECRET, "s3cret");
  auth_params_set(p, AUTH_OPT_TOKEN_URL, "https://idp.example/token");
  auth_import_token(p,
                    "{\"access_token\":\"at-2\",\"expires_in\":600,\"refresh_token\":\"rt-2\","
                    "\"id_token\":\"h.p.s\"}",
                    &t);
  auth_params_free(p);
  return t;
}

static void test_serialize(void) {
  auth_token *t = sample_token();
  CHECK(t != NULL);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_RC(auth_token_serialize(t, &buf, &len), AUTH_OK);
  CHECK(buf != NULL && len > 14);
  CHECK(memcmp(buf, "ATKN", 4) == 0);

  auth_token *back = NULL;
  CHECK_RC(auth_token_deserialize(buf, len, &back), AUTH_OK);
  CHECK_STR(auth_token_value(back), "at-2");
  CHECK_STR(auth_token_refresh_token(back), "rt-2");
  CHECK_STR(auth_token_id_token(back), "h.p.s");
  CHECK(auth_token_expiration(back) == auth_token_expiration(t));
  auth_token_free(back);

  /* Every truncation, a flipped byte, an unknown version: AUTH_ERROR_FORMAT. */
  int all_format = 1;
  for (size_t n = 0; n < len; n++) {
    back = (auth_token *)0x1;
    if (auth_token_deserialize(buf, n, &back) != AUTH_ERROR_FORMAT || back != NULL) all_format = 0;
  }
  CHECK(all_format);
  uint8_t *copy = malloc(len);
  memcpy(copy, buf, len);
  copy[len / 2] ^= 0x40;
  CHECK_RC(auth_token_deserialize(copy, len, &back), AUTH_ERROR_FORMAT);
  memcpy(copy, buf, len);
  copy[4] = 9; /* a future format version */
  CHECK_RC(auth_token_deserialize(copy, len, &back), AUTH_ERROR_FORMAT);
  CHECK(strstr(auth_last_error(), "version 9") != NULL);
  free(copy);
  CHECK_RC(auth_token_deserialize(NULL, 10, &back), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_token_deserialize(buf, len, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  auth_bytes_free(buf, len);
  CHECK_RC(auth_token_serialize(NULL, &buf, &len), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(buf == NULL);
  CHECK_RC(auth_token_serialize(t, NULL, &len), AUTH_ERROR_INVALID_ARGUMENT);
  buf = (uint8_t *)0x1;
  CHECK_RC(auth_token_serialize(t, &buf, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(buf == NULL);
  auth_bytes_free(NULL, 0);
  auth_string_free(NULL);
  auth_token_free(t);
}

static void test_files(void) {
  char dir[] = "/tmp/authtoken-c-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[512];
  snprintf(path, sizeof path, "%s/nested/session.bin", dir);

  auth_token *t = sample_token();
  CHECK_RC(auth_token_save(t, path), AUTH_OK);
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  auth_token *back = NULL;
  CHECK_RC(auth_token_load(path, &back), AUTH_OK);
  CHECK_STR(auth_token_value(back), "at-2");
  auth_token_free(back);

  /* Overwrite keeps the mode; a corrupt file is FORMAT; a missing one is IO with the path. */
  CHECK_RC(auth_token_save(t, path), AUTH_OK);
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  FILE *f = fopen(path, "r+b");
  CHECK(f != NULL);
  if (f) {
    fseek(f, 20, SEEK_SET);
    fputc('#', f);
    fclose(f);
  }
  CHECK_RC(auth_token_load(path, &back), AUTH_ERROR_FORMAT);
  f = fopen(path, "wb");
  if (f) fclose(f);
  CHECK_RC(auth_token_load(path, &back), AUTH_ERROR_FORMAT);

  char missing[600];
  snprintf(missing, sizeof missing, "%s/missing.bin", dir);
  back = (auth_token *)0x1;
  CHECK_RC(auth_token_load(missing, &back), AUTH_ERROR_IO);
  CHECK(back == NULL);
  CHECK(strstr(auth_last_error(), missing) != NULL);
  CHECK_RC(auth_token_save(t, "/proc/authtoken-cannot-write-here"), AUTH_ERROR_IO);
  CHECK_RC(auth_token_save(NULL, path), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_token_save(t, NULL), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_token_load(NULL, &back), AUTH_ERROR_INVALID_ARGUMENT);
  auth_token_free(t);

  unlink(path);
  snprintf(path, sizeof path, "%s/nested", dir);
  rmdir(path);
  rmdir(dir);
}

static int log_calls = 0;
static void on_log(void *user_data, int level, const char *message) {
  (void)user_data;
  (void)level;
  (void)message;
  log_calls++;
}

static void test_logging(void) {
  auth_set_log_callback(on_log, NULL, 4);
  auth_set_log_callback(NULL, NULL, 0);
  CHECK(log_calls == 0);
}

int main(void) {
  test_results_and_version();
  test_params();
  test_import_and_getters();
  test_serialize();
  test_files();
  test_logging();
  return check_summary("test_foundation");
}
