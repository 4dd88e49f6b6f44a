// needs: auth_identify auth_refresh_token auth_read_identity auth_login_begin
// The seed (WLanguage AuthRefreshToken) example: login, reuse, refresh. (auth_login_begin: the
// interactive login has landed.)
#include "flows.hpp"

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

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp seed"); }
#endif
