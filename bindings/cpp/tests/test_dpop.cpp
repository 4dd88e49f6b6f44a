// needs: auth_identify auth_refresh_token auth_login_begin auth_token_dpop_proof auth_token_dpop_jkt auth_token_authorization_details
// DPoP, PAR and the options of sender-constrained tokens and authorization requests against
// the real provider.
#include "flows.hpp"

TEST(dpop_bound_client_credentials_and_proofs_for_the_hosts_calls) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("fapi-app").configuration_url(iss).client_auth("private_key_jwt")
        .jwt_private_key(key_path("client-ec.pem")).jwt_algorithm("ES256").jwt_key_id("client-ec")
        .flow("client_credentials").dpop("on");
    Token t = identify(p);
    CHECK_EQ(t.type(), std::string_view("DPoP"));
    CHECK_EQ(t.dpop_jkt().size(), std::size_t(43));
    CHECK_EQ(t.authorization_header(), "DPoP " + std::string(t.value()));
    std::string proof = t.dpop_proof("GET", "https://api.example/things?page=2", std::string_view("n-1"));
    CHECK_EQ(std::count(proof.begin(), proof.end(), '.'), 2);
    CHECK(proof != t.dpop_proof("GET", "https://api.example/things"));  // a fresh jti each time
    CHECK_THROWS_CODE(t.dpop_proof("GET", "not a url"), Result::invalid_argument, {});
    Token bearer = import_token(R"({"access_token":"plain"})");
    CHECK(bearer.dpop_jkt().empty() && bearer.authorization_details().empty());
    CHECK_THROWS_CODE(bearer.dpop_proof("GET", "https://api.example/"), Result::invalid_argument, {});
    // The key travels with the token's bytes.
    CHECK_EQ(Token::deserialize(t.serialize()).dpop_jkt(), t.dpop_jkt());
}

TEST(pushed_authorization_request) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("par-app").configuration_url(iss).redirect_url("http://127.0.0.1:9/callback")
        .par("on");
    Login login(p);
    std::string url(login.url());
    CHECK(url.find("request_uri=") != std::string::npos);
    CHECK(url.find("code_challenge") == std::string::npos);
}

TEST(options_of_sender_constraints_and_authorization_requests) {
    Params p = Params::openid();
    p.dpop("off").par("auto").request_object("off").profile("default")
        .resource("https://api.example/ urn:example:api")
        .authorization_details(R"([{"type":"account_information"}])")
        .par_url("https://idp.example/par").dpop_key(key_path("client-ec.pem"));
    CHECK_THROWS_CODE(p.resource("https://api.example/#f"), Result::invalid_argument, {});
    CHECK_THROWS_CODE(p.authorization_details(R"([{"no":"type"}])"), Result::invalid_argument, {});
    CHECK_THROWS_CODE(p.profile("fapi1"), Result::invalid_argument, {});
    CHECK_THROWS_CODE(p.dpop_key(key_path("test-ca.pem")), Result::invalid_argument, {});
    CHECK_EQ(static_cast<int>(Option::profile), 39);
    // A fapi2 rule broken by the params: refused before any request, naming the rule.
    p.reset(Option::par_url).reset(Option::dpop).profile("fapi2").client_id("x").configuration_url(issuer())
        .client_secret("s");
    CHECK_THROWS_CODE(Login(p.redirect_url("http://127.0.0.1:9/callback")),
                      Result::invalid_argument, {
        CHECK(std::string(caught.what()).find("5.3.3.1-2") != std::string::npos);
    });
}

TEST(authentication_request_options_reach_the_url) {
    Params p = Params::openid();
    p.client_id("public-app").configuration_url(issuer()).redirect_url("http://127.0.0.1:9/callback")
        .acr_values("urn:example:loa:1").max_age(std::chrono::seconds(600)).prompt("login")
        .login_hint("alice@example.com");
    Login login(p);
    std::string url(login.url());
    for (const char *part : {"acr_values=urn%3Aexample%3Aloa%3A1", "max_age=600", "prompt=login",
                             "login_hint=alice%40example.com"})
        CHECK(url.find(part) != std::string::npos);
    CHECK_THROWS_CODE(p.prompt("none"), Result::invalid_argument, {});
    CHECK_THROWS_CODE(p.max_age(std::chrono::seconds(-1)), Result::invalid_argument, {});
    CHECK_EQ(static_cast<int>(Option::login_hint), 43);
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp dpop"); }
#endif
