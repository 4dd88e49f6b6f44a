/* A minimal test harness for the C tests: CHECK counts, the summary line is the one CI reads. */
#ifndef AUTHTOKEN_TEST_CHECK_H
#define AUTHTOKEN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed = 0;
static int check_failed = 0;

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (cond) {                                                                        \
      check_passed++;                                                                  \
    } else {                                                                           \
      check_failed++;                                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, \
              #cond, auth_last_error());                                               \
    }                                                                                  \
  } while (0)

#define CHECK_RC(expr, expected)                                                         \
  do {                                                                                   \
    auth_result check_rc_ = (expr);                                                      \
    if (check_rc_ == (expected)) {                                                       \
      check_passed++;                                                                    \
    } else {                                                                             \
      check_failed++;                                                                    \
      fprintf(stderr, "%s:%d: %s gave %s, expected %s (last error: %s)\n", __FILE__,     \
              __LINE__, #expr, auth_result_name(check_rc_), auth_result_name(expected),  \
              auth_last_error());                                                        \
    }                                                                                    \
  } while (0)

#define CHECK_STR(actual, expected)                                                        \
  do {                                                                                     \
    const char *check_a_ = (actual);                                                       \
    const char *check_e_ = (expected);                                                     \
    if (check_a_ != NULL && strcmp(check_a_, check_e_) == 0) {                             \
      check_passed++;                                                                      \
    } else {                                                                               \
      check_failed++;                                                                      \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,        \
              #actual, check_a_ ? check_a_ : "(null)", check_e_);                          \
    }                                                                                      \
  } while (0)

/* Prints the closing line and gives the exit status. */
static int check_summary(const char *name) {
  printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
  return check_failed == 0 ? 0 : 1;
}

#endif
