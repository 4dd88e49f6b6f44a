/*
 * demo: the WLanguage AuthRefreshToken example in C.
 *
 * Loads the saved token; if it expires within a minute and can be refreshed, refreshes it;
 * otherwise signs the user in (system browser, loopback redirect); saves the token; reads
 * and prints the user's identity.
 *
 *   demo <issuer or discovery URL> <client id> [client secret] [token file]
 *
 * Build against an install: cc examples/demo.c $(pkg-config --cflags --libs authtoken) -o demo
 * (scripts/demo builds it against the build tree: -Iinclude -Ltarget/debug -lauthtoken)
 */
#include "authtoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *what, enum auth_result r) {
    fprintf(stderr, "%s: %s: %s", what, auth_result_name(r), auth_last_error());
    if (*auth_last_oauth_error()) fprintf(stderr, " (OAuth error %s)", auth_last_oauth_error());
    fprintf(stderr, "\n");
}

/* The start of a token, enough to tell two apart without showing a usable secret. */
static void print_token(const char *what, const auth_token *token) {
    char when[32] = "unknown";
    time_t expires = (time_t)auth_token_expiration(token);
    struct tm utc;
    if (expires > 0 && gmtime_r(&expires, &utc)) strftime(when, sizeof when, "%H:%M:%S UTC", &utc);
    printf("%s: access token %.8s..., expires at %s (in %lld s)\n", what, auth_token_value(token), when,
           (long long)(expires - time(NULL)));
}

static void log_line(void *user_data, int level, const char *message) {
    (void)user_data;
    fprintf(stderr, "[authtoken %d] %s\n", level, message);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s <issuer or discovery URL> <client id> [client secret] [token file]\n",
                argv[0]);
        return 2;
    }
    const char *configuration = argv[1], *client_id = argv[2];
    const char *secret = argc > 3 ? argv[3] : "";
    const char *path = argc > 4 ? argv[4] : "AuthSession.bin";

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* AUTHTOKEN_DEMO_LOG=4 shows every HTTP exchange (secrets redacted). */
    if (getenv("AUTHTOKEN_DEMO_LOG")) auth_set_log_callback(log_line, NULL, atoi(getenv("AUTHTOKEN_DEMO_LOG")));

    /* OpenID parameters (OpenIDParameters): endpoints from discovery. */
    auth_params *svc = NULL;
    enum auth_result r = auth_params_new(AUTH_KIND_OPENID, &svc);
    if (r != AUTH_OK) { fail("auth_params_new", r); return 1; }
    struct { enum auth_option option; const char *value; } settings[] = {
        {AUTH_OPT_CONFIGURATION_URL, configuration},
        {AUTH_OPT_CLIENT_ID, client_id},
        {AUTH_OPT_CLIENT_SECRET, secret},
        {AUTH_OPT_SCOPE, "openid profile email offline_access"},
        {AUTH_OPT_REDIRECT_URL, "http://127.0.0.1:0/callback"},
        {AUTH_OPT_LOGIN_TIMEOUT, "60"},
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        r = auth_params_set(svc, settings[i].option, settings[i].value);
        if (r != AUTH_OK) { fail("auth_params_set", r); auth_params_free(svc); return 1; }
    }

    auth_token *session = NULL;
    /* A token saved before? */
    if (access(path, F_OK) == 0) {
        r = auth_token_load(path, &session);
        if (r != AUTH_OK) {
            fail("saved session invalid", r);
        } else if (auth_token_expiration(session) - 60 < (int64_t)time(NULL) &&
                   *auth_token_refresh_token(session)) {
            /* Expired or expiring within the minute, and refreshable. */
            print_token("saved token", session);
            auth_token *fresh = NULL;
            r = auth_refresh_token(session, &fresh);
            auth_token_free(session);
            session = NULL;
            if (r == AUTH_OK && auth_token_is_valid(fresh)) {
                printf("token refreshed silently (no browser)\n");
                session = fresh;
                r = auth_token_save(session, path);
                if (r != AUTH_OK) fail("auth_token_save", r);
            } else {
                fail("session refresh failed", r);
                auth_token_free(fresh);
            }
        } else if (auth_token_is_valid(session)) {
            print_token("saved token still valid", session);
        }
    }
    if (!session || !auth_token_is_valid(session)) {
        auth_token_free(session);
        session = NULL;
        printf("signing in with the browser...\n");
        r = auth_identify(svc, &session);
        if (r == AUTH_OK && auth_token_is_valid(session)) {
            printf("signed in\n");
            r = auth_token_save(session, path);
            if (r != AUTH_OK) fail("auth_token_save", r);
        } else {
            fail("cannot start the session", r);
            auth_params_free(svc);
            return 1;
        }
    }
    print_token("session", session);

    int status = 0;
    auth_identity *me = NULL;
    r = auth_read_identity(session, &me);
    if (r == AUTH_OK && auth_identity_is_valid(me)) {
        printf("connection OK: %s\n", auth_identity_source(me));
    } else {
        fail("connection valid, but reading the identity failed", r);
        status = 1;
    }
    auth_identity_free(me);
    auth_token_free(session);
    auth_params_free(svc);
    return status;
}
