// needs: auth_session_new auth_session_token auth_session_logout auth_session_set_token_changed auth_session_open
// Sessions: a token that stays fresh, kept in a file.
#include "flows.hpp"

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
        CHECK_EQ(std::string(session.token(60s).value()), std::string(token.value()));
        Token longer = session.token(7200s);  // longer than the token lives: a refresh
        CHECK(longer.value() != token.value());
        CHECK_EQ(browser.urls.size(), 1u);
        CHECK_EQ(changed.size(), 2u);
        session.logout();
        CHECK(!exists(path));
    }
    rmdir(dir.c_str());
}

TEST(open_session_logs_in_once_then_reuses_the_file) {
    std::string iss = issuer();
    std::string dir = temp_dir();
    std::string path = dir + "/open.bin";
    Browser browser;
    Params params = public_params(iss);
    params.on_open_url(browser.callback());
    Token first = open_session(params, path);
    Token again = open_session(params, path);
    browser.join();
    CHECK_EQ(browser.urls.size(), 1u);
    CHECK(first.value() == again.value() && exists(path));
    std::remove(path.c_str());
    rmdir(dir.c_str());
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp session"); }
#endif
