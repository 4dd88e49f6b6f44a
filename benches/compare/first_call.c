/* First refresh in a fresh process vs warm ones, through the C API of
 * target/release/libauthtoken.so (benches/compare/run builds and runs it).
 *
 *   first_call TOKEN_URL REFRESH_TOKEN CLIENT_ID CLIENT_SECRET [WARM_CALLS]
 *
 * Prints one JSON line: the first auth_refresh_token (it builds the library's runtime and
 * HTTP client and opens the connection), the median of the warm ones, and the resident
 * memory (VmRSS, VmHWM) right after the first call. */
#define _POSIX_C_SOURCE 199309L
#include "authtoken.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(auth_result r, const char *what) {
    if (r != AUTH_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, auth_result_name(r), auth_last_error());
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: first_call TOKEN_URL REFRESH_TOKEN CLIENT_ID SECRET [WARM]\n");
        return 2;
    }
    int warm = argc > 5 ? atoi(argv[5]) : 100;
    double process_start = now_us();
    long rss_before = status_kb("VmRSS");

    auth_params *p = NULL;
    check(auth_params_new(AUTH_KIND_OAUTH2, &p), "auth_params_new");
    check(auth_params_set(p, AUTH_OPT_TOKEN_URL, argv[1]), "token url");
    check(auth_params_set(p, AUTH_OPT_CLIENT_ID, argv[3]), "client id");
    check(auth_params_set(p, AUTH_OPT_CLIENT_SECRET, argv[4]), "client secret");
    check(auth_params_set(p, AUTH_OPT_CLIENT_AUTH, "post"), "client auth");
    char json[1024];
    snprintf(json, sizeof json,
             "{\"access_token\":\"first\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
             "\"refresh_token\":\"%s\"}",
             argv[2]);
    auth_token *token = NULL;
    check(auth_import_token(p, json, &token), "auth_import_token");

    auth_token *fresh = NULL;
    double t0 = now_us();
    check(auth_refresh_token(token, &fresh), "first auth_refresh_token");
    double first = now_us() - t0;
    double since_start = now_us() - process_start;
    auth_token_free(fresh);
    long rss = status_kb("VmRSS"), hwm = status_kb("VmHWM");

    double *times = calloc((size_t)warm, sizeof *times);
    for (int i = 0; i < warm; i++) {
        t0 = now_us();
        check(auth_refresh_token(token, &fresh), "auth_refresh_token");
        times[i] = now_us() - t0;
        auth_token_free(fresh);
    }
    qsort(times, (size_t)warm, sizeof *times, cmp);
    printf("{\"first_us\":%.1f,\"main_to_first_done_us\":%.1f,\"warm_median_us\":%.1f,"
           "\"warm_min_us\":%.1f,\"warm\":%d,\"rss_before_kb\":%ld,\"rss_after_first_kb\":%ld,"
           "\"hwm_after_first_kb\":%ld,\"rss_after_warm_kb\":%ld}\n",
           first, since_start, times[warm / 2], times[0], warm, rss_before, rss, hwm,
           status_kb("VmRSS"));
    free(times);
    auth_token_free(token);
    auth_params_free(p);
    return 0;
}
