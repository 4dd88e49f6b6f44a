/* Not a test of the library: a program that leaks auth_params handles (and what they own),
 * run by tests/c/test under each checker to show that the checker, as set up there, reports a
 * leaked handle (exit status not 0). LeakSanitizer scans the stack conservatively: a stale
 * pointer to the last handle may survive in a dead stack slot and hide that one, so several
 * are leaked; valgrind reports them all. */
#include "authtoken.h"

#include <stdio.h>

static void leak_params(int i) {
  auth_params *p = NULL;
  char id[32];
  snprintf(id, sizeof id, "leaked-client-%d", i);
  if (auth_params_new(AUTH_KIND_OPENID, &p) != AUTH_OK ||
      auth_params_set(p, AUTH_OPT_CLIENT_ID, id) != AUTH_OK) {
    fprintf(stderr, "canary_leak: could not make the params: %s\n", auth_last_error());
  }
}

int main(void) {
  for (int i = 0; i < 8; i++) leak_params(i);
  return 0;
}
