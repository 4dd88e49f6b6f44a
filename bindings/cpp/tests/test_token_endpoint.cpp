// needs: auth_refresh_token auth_revoke_token auth_introspect_token auth_identify auth_create_jwt_assertion
// Refresh, client credentials, JWT bearer, introspection and revocation against the real provider.
#include "flows.hpp"

TEST(refresh_rotates_and_keeps_the_old_token) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("conf-post").client_secret("post-secret-123").configuration_url(iss)
        .scope("openid profile email offline_access");
    Token token = import_token(user::first_token_json(iss, "openid profile email offline_access"), p);
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

TEST(log_hears_http_exchanges_without_secrets) {
    std::string iss = issuer();
    std::mutex m;
    std::vector<std::string> lines;
    set_log_callback([&](int level, std::string_view message) {
        std::lock_guard<std::mutex> lock(m);
        if (level >= 1 && level <= 4) lines.emplace_back(message);
    }, 4);
    Params p = Params::oauth2();
    p.client_id("service").client_secret("service-secret-123").token_url(iss + "/token")
        .flow("client_credentials").scope("api:read");
    Token t = identify(p);
    set_log_callback(nullptr);
    std::lock_guard<std::mutex> lock(m);
    CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string &l) { return l.find("/token") != std::string::npos; }));
    for (auto &l : lines) {
        CHECK(l.find("service-secret-123") == std::string::npos);
        CHECK(l.find(std::string(t.value())) == std::string::npos);
    }
}

TEST(one_params_shared_by_threads) {
    std::string iss = issuer();
    Params p = Params::oauth2();
    p.client_id("service").client_secret("service-secret-123").token_url(iss + "/token")
        .flow("client_credentials").scope("api:read");
    std::vector<std::string> values(4);
    std::vector<std::string> errors(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < values.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                values[i] = identify(p).value();  // a temporary Token: an owned copy
            } catch (const std::exception &e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto &t : threads) t.join();
    for (size_t i = 0; i < values.size(); ++i) {
        CHECK_EQ(errors[i], std::string());
        CHECK(!values[i].empty());
        for (size_t j = 0; j < i; ++j) CHECK(values[i] != values[j]);
    }
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp token endpoint"); }
#endif
