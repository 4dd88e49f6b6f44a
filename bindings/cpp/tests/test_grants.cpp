// needs: auth_exchange_token auth_token_issued_token_type auth_step_up auth_parse_challenge
// Token exchange, CIBA, step-up and challenges against the real provider (started by ../test
// with the token-exchange grant, CIBA and acr values).
#include "flows.hpp"

namespace {

const std::string access_token_type = "urn:ietf:params:oauth:token-type:access_token";
const std::string step_up_challenge =
    R"(Bearer realm="api", error="insufficient_user_authentication", )";

/// The access token in a token endpoint answer (JSON text).
std::string access_token_of(const std::string &json) {
    const std::string key = "\"access_token\":\"";
    auto at = json.find(key);
    if (at == std::string::npos) throw check::Failure{"no access_token in " + json};
    at += key.size();
    return json.substr(at, json.find('"', at) - at);
}

}  // namespace

TEST(parse_challenge_gives_json) {
    CHECK_EQ(parse_challenge(step_up_challenge + R"(acr_values="gold", max_age=5)"),
             std::string(R"([{"params":{"acr_values":"gold","error":"insufficient_user_authentication","max_age":"5","realm":"api"},"scheme":"Bearer"}])"));
    CHECK_EQ(parse_challenge("Basic abc==, Negotiate"),
             std::string(R"([{"scheme":"Basic","token68":"abc=="},{"params":{},"scheme":"Negotiate"}])"));
    CHECK_THROWS_CODE(parse_challenge("realm=\"x\""), Result::invalid_argument, {});
}

TEST(exchange_token_then_refresh) {
    std::string iss = issuer();
    std::string subject = access_token_of(user::first_token_json(iss, "openid api:read"));
    Params p = Params::oauth2();
    p.client_id("exchanger").client_secret("exchanger-secret-123").client_auth("basic")
        .token_url(iss + "/token").scope("api:read offline_access").audience("billing");
    Token t = exchange_token(p, subject);
    CHECK_EQ(t.issued_token_type(), std::string_view(access_token_type));
    CHECK(!t.refresh_token().empty());
    Token fresh = Token::deserialize(t.serialize()).refresh();
    CHECK_EQ(fresh.issued_token_type(), std::string_view(access_token_type));
    CHECK_THROWS_CODE(exchange_token(p, "not-a-token", access_token_type), Result::invalid_grant, {
        CHECK_EQ(caught.oauth_error(), std::string("invalid_grant"));
    });
}

TEST(ciba_approved_on_the_device) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("ciba-app").client_secret("ciba-secret-123").client_auth("basic")
        .configuration_url(iss).flow("ciba").login_hint("cpp-user").binding_message("CPP-1")
        .login_timeout(30s);
    std::optional<Token> t;
    std::string failure;
    std::thread login([&] {
        try {
            t.emplace(identify(p));
        } catch (const std::exception &e) {
            failure = e.what();
        }
    });
    std::string refused;  // why the user could not answer on the device, if they could not
    try {
        user::answer_ciba(iss, "cpp-user");
    } catch (const std::exception &e) {
        refused = e.what();
    }
    login.join();
    CHECK_EQ(refused, std::string());
    CHECK_EQ(failure, std::string());
    CHECK(t && t->is_valid() && !t->id_token().empty());
    CHECK_EQ(read_identity(*t).subject(), std::string_view("cpp-user"));
}

TEST(step_up_in_the_browser) {
    std::string iss = issuer();
    Browser browser;
    Params p = Params::openid();
    p.client_id("conf-post").client_secret("post-secret-123").configuration_url(iss)
        .redirect_url("http://127.0.0.1:0/callback").login_timeout(30s)
        .on_open_url(browser.callback());
    Token t = step_up(p, step_up_challenge + R"(acr_values="urn:test:loa:2", max_age=60)");
    browser.join();
    CHECK_EQ(user::query_param(browser.urls.at(0), "acr_values"), std::string("urn%3Atest%3Aloa%3A2"));
    CHECK(!t.id_token().empty());
    // The provider cannot give loa:3: the step-up is refused.
    CHECK_THROWS_CODE(step_up(p, step_up_challenge + R"(acr_values="urn:test:loa:3")"),
                      Result::id_token, {});
    browser.join();
    CHECK_THROWS_CODE(step_up(p, R"(Bearer error="invalid_token")"), Result::invalid_argument, {});
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp grants"); }
#endif
