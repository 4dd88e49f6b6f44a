// needs: auth_identify auth_login_begin auth_login_complete
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

int main() { return check::run_all("cpp login"); }
