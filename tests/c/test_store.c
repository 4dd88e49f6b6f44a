/* A store of the host's own (auth_store), implemented here in C: an in-memory value with a
 * compare-and-set write and a lock that counts. The session loads from it, writes back a valid
 * token it finds missing, deletes on logout, keeps it encrypted with AUTH_OPT_STORE_KEY, and
 * reports the callbacks' failures. No provider: refreshes are tested against the real one in
 * tests/stores.rs. Run under valgrind and ASan by tests/c/test. */
#include "authtoken.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct {
  uint8_t *value; /* NULL: nothing stored */
  size_t len;
  int loads, writes, removes, locked, lock_calls, released;
  int fail_load;
} memory_store;

static int mem_load(void *user_data, auth_store_value *out) {
  memory_store *m = user_data;
  m->loads++;
  if (m->fail_load) return 42;
  if (m->value != NULL && auth_store_value_set(out, m->value, m->len) != AUTH_OK) return 1;
  return AUTH_STORE_OK;
}

static void mem_put(memory_store *m, const uint8_t *value, size_t len) {
  free(m->value);
  m->value = NULL;
  m->len = 0;
  if (value != NULL) {
    m->value = malloc(len);
    memcpy(m->value, value, len);
    m->len = len;
  }
}

static int mem_write(void *user_data, const uint8_t *value, size_t len, const uint8_t *expected,
                     size_t expected_len) {
  memory_store *m = user_data;
  m->writes++;
  int same = expected == NULL ? m->value == NULL
                              : m->value != NULL && m->len == expected_len &&
                                    memcmp(m->value, expected, expected_len) == 0;
  if (!same) return AUTH_STORE_CONFLICT;
  mem_put(m, value, len);
  return AUTH_STORE_OK;
}

static int mem_remove(void *user_data) {
  memory_store *m = user_data;
  m->removes++;
  mem_put(m, NULL, 0);
  return AUTH_STORE_OK;
}

static int mem_lock(void *user_data) {
  memory_store *m = user_data;
  m->lock_calls++;
  m->locked++;
  return m->locked == 1 ? AUTH_STORE_OK : 7; /* never twice at once */
}

static void mem_unlock(void *user_data) { ((memory_store *)user_data)->locked--; }

static void mem_release(void *user_data) { ((memory_store *)user_data)->released++; }

static auth_store store_of(memory_store *m) {
  auth_store s = {AUTH_STORE_VERSION, m,         mem_load,  mem_write,
                  mem_remove,         mem_lock,  mem_unlock, mem_release};
  return s;
}

static int refuse_login(void *user_data, const char *url) {
  (void)url;
  (*(int *)user_data)++;
  return 1;
}

static int contains(const uint8_t *hay, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0) return 1;
  return 0;
}

/* A token for the store: serialized, as a session would write it without a store key. */
static void put_token(memory_store *m, auth_params *p, const char *json) {
  auth_token *t = NULL;
  CHECK_RC(auth_import_token(p, json, &t), AUTH_OK);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_RC(auth_token_serialize(t, &buf, &len), AUTH_OK);
  mem_put(m, buf, len);
  auth_bytes_free(buf, len);
  auth_token_free(t);
}

static auth_params *params(int *logins) {
  auth_params *p = NULL;
  CHECK_RC(auth_params_new(AUTH_KIND_OAUTH2, &p), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_CLIENT_ID, "c-host"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_AUTH_URL, "http://127.0.0.1:9/auth"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_TOKEN_URL, "http://127.0.0.1:9/token"), AUTH_OK);
  CHECK_RC(auth_params_set(p, AUTH_OPT_REDIRECT_URL, "http://127.0.0.1:0/callback"), AUTH_OK);
  CHECK_RC(auth_params_set_open_url(p, refuse_login, logins), AUTH_OK);
  return p;
}

static void test_load_write_back_logout(void) {
  int logins = 0;
  auth_params *p = params(&logins);
  memory_store m = {0};
  put_token(&m, p, "{\"access_token\":\"from-the-host\",\"expires_in\":3600}");
  auth_store s = store_of(&m);
  auth_session *session = NULL;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_OK);
  CHECK(m.loads == 1);

  auth_token *t = NULL;
  CHECK_RC(auth_session_token(session, 60, &t), AUTH_OK);
  CHECK_STR(auth_token_value(t), "from-the-host");
  auth_token_free(t);
  CHECK(m.writes == 0);

  /* The host empties its store; the session asks for more than the token has left: the valid
   * token is written back under the lock, then no refresh token, so a login (refused). */
  mem_put(&m, NULL, 0);
  CHECK_RC(auth_session_token(session, 7200, &t), AUTH_ERROR_CANCELLED);
  CHECK(t == NULL);
  CHECK(logins == 1);
  CHECK(m.writes == 1);
  CHECK(m.value != NULL && contains(m.value, m.len, "from-the-host"));
  CHECK(m.lock_calls >= 1 && m.locked == 0);

  /* Logout: the stored token is removed (no revocation endpoint: logged, not an error). */
  CHECK_RC(auth_session_logout(session), AUTH_OK);
  CHECK(m.removes == 1 && m.value == NULL);
  CHECK(m.locked == 0);
  CHECK(m.released == 0);
  auth_session_free(session);
  CHECK(m.released == 1);
  auth_params_free(p);
}

static void test_clear_token_under_a_store_key(void) {
  int logins = 0;
  auth_params *p = params(&logins);
  CHECK_RC(auth_params_set(p, AUTH_OPT_STORE_KEY, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
           AUTH_OK);
  memory_store m = {0};
  auth_store s = store_of(&m);
  auth_session *session = NULL;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_OK);
  /* A clear token while a key is set is no token: a login (refused). */
  put_token(&m, p, "{\"access_token\":\"clear-text\",\"expires_in\":3600}");
  auth_token *t = NULL;
  CHECK_RC(auth_session_token(session, 60, &t), AUTH_ERROR_CANCELLED);
  CHECK(logins == 1);
  CHECK(m.writes == 0); /* left as it is: a login would replace it */
  CHECK(m.value != NULL && contains(m.value, m.len, "clear-text"));
  auth_session_free(session);
  free(m.value);
  auth_params_free(p);
}

static void test_bad_stores(void) {
  int logins = 0;
  auth_params *p = params(&logins);
  memory_store m = {0};
  auth_store s = store_of(&m);
  auth_session *session = (auth_session *)0x1;

  s.version = 2;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(session == NULL);
  CHECK(strstr(auth_last_error(), "version") != NULL);
  s = store_of(&m);
  s.load = NULL;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_ERROR_INVALID_ARGUMENT);
  s = store_of(&m);
  s.unlock = NULL;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_session_new_with_store(p, NULL, &session), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK_RC(auth_session_new_with_store(NULL, &s, &session), AUTH_ERROR_INVALID_ARGUMENT);
  CHECK(m.released == 0);
  CHECK_RC(auth_store_value_set(NULL, (const uint8_t *)"x", 1), AUTH_ERROR_INVALID_ARGUMENT);

  /* A load that fails: the session has no token, so the failure is the answer (AUTH_ERROR_IO,
   * naming the callback and its code). */
  s = store_of(&m);
  m.fail_load = 1;
  CHECK_RC(auth_session_new_with_store(p, &s, &session), AUTH_OK);
  auth_token *t = NULL;
  CHECK_RC(auth_session_token(session, 60, &t), AUTH_ERROR_IO);
  CHECK(strstr(auth_last_error(), "load callback returned 42") != NULL);
  CHECK(logins == 0);
  auth_session_free(session);
  CHECK(m.released == 1);
  auth_params_free(p);
}

int main(void) {
  test_load_write_back_logout();
  test_clear_token_under_a_store_key();
  test_bad_stores();
  return check_summary("test_store");
}
