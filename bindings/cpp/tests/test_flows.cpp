// needs: auth_identify auth_refresh_token auth_revoke_token auth_introspect_token auth_create_jwt_assertion auth_login_begin auth_login_complete auth_session_new auth_session_token auth_session_open
// Logins with the user played over HTTP, refresh, revocation, sessions and the seed example,
// against the real provider (AUTHTOKEN_TEST_ISSUER).
#include "check.hpp"
#include "user.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace authtoken;
using namespace std::chrono_literals;

static std::string issuer() {
    const char *i = std::getenv("AUTHTOKEN_TEST_ISSUER");
    if (!i || !*i) throw check::Skip{"AUTHTOKEN_TEST_ISSUER is not set (no provider)"};
    return i;
}

static std::string key_path(const char *name) {
    const char *root = std::getenv("AUTHTOKEN_ROOT");
    return std::string(root ? root : ".") + "/tests/provider/keys/" + name;
}

static bool exists(const std::string &path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

static std::string temp_dir() {
    char tmpl[] = "/tmp/authtoken-cpp-XXXXXX";
    const char *d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp");
    return d;
}

/// The open-URL callback of the tests: a thread plays the user, as a browser would, while the
/// library waits on its loopback listener.
struct Browser {
    std::vector<std::string> urls;
    std::vector<std::thread> threads;
    std::vector<std::string> errors;
    std::mutex mutex;

    OpenUrlFn callback() {
        return [this](std::string_view url) {
            std::lock_guard<std::mutex> lock(mutex);
            urls.emplace_back(url);
            threads.emplace_back([this, u = std::string(url)] {
                try {
                    user::play_user(u);
                } catch (const std::exception &e) {
                    std::lock_guard<std::mutex> lock2(mutex);
                    errors.push_back(e.what());
                }
            });
            return true;
        };
    }
    void join() {
        for (auto &t : threads) t.join();
        threads.clear();
        if (!errors.empty()) throw check::Failure{"the user thread failed: " + errors[0]};
    }
    ~Browser() {
        for (auto &t : threads) t.join();
    }
};

static Params public_params(const std::string &iss) {
    Params p = Params::openid();
    p.client_id("public-app")
        .configuration_url(iss)
        .scope("openid profile email offline_access")
        .redirect_url("http://127.0.0.1:0/callback")
        .login_timeout(30s)
        .http_timeout(10s);
    return p;
}

TEST(full_login_with_the_user_over_http) {
    std::string iss = issuer();
    Browser browser;
    Params params = public_params(iss);
    params.on_open_url(browser.callback());
    Token token = identify(params);
    browser.join();
    CHECK_EQ(browser.urls.size(), 1u);
    CHECK_EQ(user::query_param(browser.urls[0], "code_challenge_method"), std::string("S256"));
    CHECK(!user::query_param(browser.urls[0], "state").empty());
    CHECK(token.is_valid() && !token.refresh_token().empty() && !token.id_token().empty());
    Identity me = read_identity(token);
    CHECK_EQ(me.subject(), std::string_view("alice"));
}

TEST(refresh_rotates_and_keeps_the_old_token) {
    std::string iss = issuer();
    Browser browser;
    Params params = public_params(iss);
    params.on_open_url(browser.callback());
    Token token = identify(params);
    browser.join();
    Token fresh = refresh_token(token);
    CHECK(fresh.value() != token.value());
    CHECK(!fresh.refresh_token().empty() && fresh.refresh_token() != token.refresh_token());
    Token again = Token::deserialize(fresh.serialize()).refresh();
    CHECK(again.is_valid());
    CHECK_THROWS_CODE(refresh_token(token), Result::invalid_grant, {
        CHECK_EQ(caught.oauth_error(), std::string("invalid_grant"));
        CHECK_EQ(caught.http_status(), 400);
    });
    CHECK_THROWS_CODE(refresh_token(import_token(R"({"access_token":"x"})")),
                      Result::not_refreshable, {});
}

TEST(callback_refusal_and_exceptions_cancel) {
    std::string iss = issuer();
    Params params = public_params(iss);
    params.on_open_url([](std::string_view) { return false; });
    CHECK_THROWS_CODE(identify(params), Result::cancelled, {});
    params.on_open_url([](std::string_view) -> bool { throw std::domain_error("no browser here"); });
    bool rethrown = false;
    try {
        identify(params);
    } catch (const std::domain_error &e) {
        rethrown = std::string(e.what()) == "no browser here";
    }
    CHECK(rethrown);
}

TEST(cancel_from_another_thread) {
    std::string iss = issuer();
    Params params = public_params(iss);
    std::thread canceller;
    params.on_open_url([&](std::string_view) {
        canceller = std::thread([&] {
            std::this_thread::sleep_for(200ms);
            params.cancel();
        });
        return true;
    });
    CHECK_THROWS_CODE(identify(params), Result::cancelled, {});
    canceller.join();
}

TEST(client_credentials_and_wrong_secret) {
    std::string iss = issuer();
    Params p = Params::oauth2();
    p.client_id("service").client_secret("service-secret-123").token_url(iss + "/token")
        .flow("client_credentials").scope("api:read");
    Token t = identify(p);
    CHECK(t.is_valid() && t.scope() == "api:read" && t.refresh_token().empty());
    p.client_secret("wrong");
    CHECK_THROWS_CODE(identify(p), Result::invalid_client, {
        CHECK_EQ(caught.oauth_error(), std::string("invalid_client"));
        CHECK_EQ(caught.http_status(), 401);
    });
}

TEST(jwt_bearer_grant) {
    std::string iss = issuer();
    Params p = Params::jwt();
    p.client_id("jwt-service").token_url(iss + "/token").jwt_private_key(key_path("client-rsa.pem"))
        .jwt_key_id("client-rsa").jwt_subject("robot").scope("api:read");
    std::string assertion = create_jwt_assertion(p);
    CHECK_EQ(std::count(assertion.begin(), assertion.end(), '.'), 2);
    Token t = identify(p);
    CHECK_EQ(t.scope(), std::string_view("api:read"));
}

TEST(introspect_then_revoke) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("conf-post").client_secret("post-secret-123").configuration_url(iss)
        .scope("openid profile email offline_access");
    Token token = import_token(user::first_token_json(iss, "openid profile email offline_access"), p);
    CHECK(introspect_token(token).find("\"active\":true") != std::string::npos);
    revoke_token(token);
    CHECK(introspect_token(token).find("\"active\":false") != std::string::npos);
}

TEST(two_step_login) {
    std::string iss = issuer();
    Params params = public_params(iss);
    params.redirect_url("http://127.0.0.1:9/callback");
    Login login(params);
    std::string redirect = user::login_over_http(std::string(login.url()));
    std::string forged = redirect;
    forged.replace(forged.find("state="), 6, "state=x");
    CHECK_THROWS_CODE(login.complete(forged), Result::state_mismatch, {});
    Token token = login.complete(redirect);
    CHECK(token.is_valid() && !token.id_token().empty());
}

// ---------------------------------------------------------------------------- the seed
// The WLanguage AuthRefreshToken example, as in README.md.
static std::string seed(const std::string &iss, const std::string &path, OpenUrlFn open_url) {
    Params svc = Params::openid();
    svc.client_id("public-app")
        .configuration_url(iss)
        .scope("openid profile email offline_access")
        .redirect_url("http://127.0.0.1:0/callback")
        .on_open_url(std::move(open_url));

    std::optional<Token> session;
    if (exists(path)) {
        try {
            session = Token::load(path);
            // Expired or expiring within the minute, and refreshable?
            if (session->expires_within(60s) && !session->refresh_token().empty()) {
                session = refresh_token(*session);
                session->save(path);
            }
        } catch (const Error &e) {
            std::cerr << "Saved session is invalid: " << e.what() << "\n";
            session.reset();
        }
    }
    if (!session || !session->is_valid()) {
        session = identify(svc);
        session->save(path);
    }
    Identity me = read_identity(*session);
    return "Connection OK: " + std::string(me.source());
}

TEST(seed_example_login_reuse_refresh) {
    std::string iss = issuer();
    std::string dir = temp_dir();
    std::string path = dir + "/AuthSession.bin";
    Browser browser;
    std::string first = seed(iss, path, browser.callback());
    browser.join();
    CHECK_EQ(browser.urls.size(), 1u);
    CHECK(first.find("\"sub\":\"alice\"") != std::string::npos);
    CHECK_EQ(seed(iss, path, browser.callback()), first);  // saved and valid: no login
    CHECK_EQ(browser.urls.size(), 1u);
    // Make the saved token expire within the minute: the example refreshes it.
    Token saved = Token::load(path);
    std::string answer(saved.server_response());
    answer.replace(answer.find("\"expires_in\":"), 13, "\"expires_in\":30,\"was\":");
    Params ctx = Params::openid();
    ctx.client_id("public-app").configuration_url(iss);
    Token soon = import_token(answer, ctx);
    CHECK(soon.expires_within(60s));
    soon.save(path);
    std::string refreshed = seed(iss, path, browser.callback());
    CHECK_EQ(browser.urls.size(), 1u);
    Token after = Token::load(path);
    CHECK(!after.expires_within(60s) && after.value() != soon.value());
    if (const char *keep = std::getenv("AUTHTOKEN_KEEP_TOKEN_FILE")) {
        after.save(keep);  // for the CMake example run by the test script
    }
    std::remove(path.c_str());
    rmdir(dir.c_str());
}

TEST(session_keeps_a_token_fresh) {
    std::string iss = issuer();
    std::string dir = temp_dir();
    std::string path = dir + "/session.bin";
    Browser browser;
    std::vector<std::string> changed;
    {
        Params params = public_params(iss);
        params.on_open_url(browser.callback());
        Session session(params, path);
        session.on_token_changed([&](const Token &t) { changed.emplace_back(t.value()); });
        Token token = session.token(60s);
        browser.join();
        CHECK(token.is_valid() && exists(path));
        CHECK_EQ(changed.size(), 1u);
        CHECK_EQ(changed[0], std::string(token.value()));
        CHECK_EQ(session.token(60s).value(), token.value());
        Token longer = session.token(7200s);  // longer than the token lives: a refresh
        CHECK(longer.value() != token.value());
        CHECK_EQ(browser.urls.size(), 1u);
        CHECK_EQ(changed.size(), 2u);
        session.logout();
        CHECK(!exists(path));
    }
    rmdir(dir.c_str());
}

int main() { return check::run_all("cpp flows"); }
