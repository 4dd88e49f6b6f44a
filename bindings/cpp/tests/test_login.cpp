// needs: auth_identify auth_login_begin auth_login_complete auth_verify_authentication auth_logout_with_params
// Interactive logins with the user played over HTTP; callbacks; cancellation; the two-step login.
#include "flows.hpp"

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

TEST(device_flow_with_the_user_on_another_device) {
    std::string iss = issuer();
    OtherDevice device("bob");
    Params params = Params::openid();
    params.client_id("public-app").configuration_url(iss).scope("openid profile").flow("device")
        .login_timeout(60s).on_device_prompt(device.callback());
    Token token = identify(params);
    device.join();
    CHECK_EQ(device.codes.size(), 1u);
    CHECK(!device.codes[0].empty() && device.uris[0].rfind(iss, 0) == 0);
    CHECK(device.complete_uris[0].find(device.codes[0]) != std::string::npos);
    CHECK(device.expires[0] > 0s);
    CHECK_EQ(read_identity(token).subject(), std::string("bob"));
}

TEST(silent_login_needs_the_user) {
    std::string iss = issuer();
    Browser browser;
    Params params = public_params(iss);
    params.on_open_url(browser.callback());
    CHECK_THROWS_CODE(verify_authentication(params), Result::access_denied, {
        const std::string &e = caught.oauth_error();
        CHECK(e == "login_required" || e == "consent_required" || e == "interaction_required");
    });
    browser.join();
    CHECK(browser.urls[0].find("prompt=none") != std::string::npos);
}

TEST(logout_in_the_browser) {
    std::string iss = issuer();
    Browser browser;
    Params params = public_params(iss);
    params.on_open_url(browser.callback());
    Token token = identify(params);
    logout(params, token);
    browser.join();
    CHECK_EQ(browser.urls.size(), 2u);
    CHECK(browser.urls[1].find("/session/end?") != std::string::npos);
    CHECK_EQ(user::query_param(browser.urls[1], "id_token_hint"), std::string(token.id_token()));
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp login"); }
#endif
