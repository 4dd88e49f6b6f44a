// needs: auth_import_token auth_read_identity auth_get_user_info
// Names, errors, parameters, tokens and files; identity against the real provider
// (AUTHTOKEN_TEST_ISSUER) with a token obtained without the library.
#include "check.hpp"
#include "user.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>

using namespace authtoken;
using namespace std::chrono_literals;

static std::string issuer() {
    const char *i = std::getenv("AUTHTOKEN_TEST_ISSUER");
    if (!i || !*i) throw check::Skip{"AUTHTOKEN_TEST_ISSUER is not set (no provider)"};
    return i;
}

static std::string temp_dir() {
    char tmpl[] = "/tmp/authtoken-cpp-XXXXXX";
    const char *d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp");
    return d;
}

static_assert(!std::is_copy_constructible_v<Params> && std::is_move_constructible_v<Params>);
static_assert(!std::is_copy_constructible_v<Token> && std::is_move_constructible_v<Token>);
static_assert(!std::is_copy_constructible_v<Identity> && std::is_move_constructible_v<Identity>);
static_assert(!std::is_copy_constructible_v<Login> && std::is_move_constructible_v<Login>);
static_assert(!std::is_copy_constructible_v<Session> && std::is_move_constructible_v<Session>);
static_assert(std::is_base_of_v<std::runtime_error, Error>);
// Getters view into a living handle, and copy out of a temporary one (no dangling view).
static_assert(std::is_same_v<decltype(std::declval<Token &>().value()), std::string_view>);
static_assert(std::is_same_v<decltype(std::declval<Token>().value()), std::string>);
static_assert(std::is_same_v<decltype(std::declval<Identity>().claim("x")), std::optional<std::string>>);

TEST(version_and_names) {
    CHECK(!version().empty());
    CHECK_EQ(result_name(Result::invalid_grant), std::string_view("AUTH_ERROR_INVALID_GRANT"));
    CHECK_EQ(static_cast<int>(Result::internal), 99);
    CHECK_EQ(static_cast<int>(Option::clock_skew), 31);
}

TEST(params_validate_when_set) {
    Params p = Params::oauth2();
    p.client_id("c").auth_url("https://id.example.com/auth").login_timeout(30s);
    CHECK_THROWS_CODE(p.token_url("http://id.example.com/token"), Result::invalid_argument, {
        CHECK(std::string(caught.what()).find("http") != std::string::npos);
        CHECK_EQ(caught.http_status(), 0);
    });
    p.token_url("http://127.0.0.1:8080/token");
    p.reset(Option::token_url);
    CHECK_THROWS_CODE(p.pkce("md5"), Result::invalid_argument, {});
    Params moved = std::move(p);
    moved.scope("openid");
    bool logic = false;
    try {
        p.scope("x");  // NOLINT: use after move, on purpose
    } catch (const std::logic_error &) {
        logic = true;
    }
    CHECK(logic);
}

TEST(import_and_errors) {
    Token t = import_token(R"({"access_token":"abc","token_type":"Bearer","expires_in":3600,"refresh_token":"r1","scope":"a b"})");
    CHECK_EQ(t.value(), std::string_view("abc"));
    CHECK_EQ(t.refresh_token(), std::string_view("r1"));
    CHECK_EQ(t.authorization_header(), std::string_view("Bearer abc"));
    CHECK_EQ(t.scope(), std::string_view("a b"));
    CHECK(t.is_valid() && static_cast<bool>(t));
    CHECK(t.expiration().has_value());
    auto left = *t.expiration() - std::chrono::system_clock::now();
    CHECK(left > 3500s && left <= 3600s);
    CHECK(t.expires_within(4000s) && !t.expires_within(60s));
    Token no_exp = import_token(R"({"access_token":"x"})");
    CHECK(!no_exp.expiration().has_value() && no_exp.is_valid());
    CHECK_THROWS_CODE(import_token(R"({"error":"invalid_grant"})"), Result::invalid_grant,
                      { CHECK_EQ(caught.oauth_error(), std::string("invalid_grant")); });
    CHECK_THROWS_CODE(import_token(R"({"error":"access_denied"})"), Result::access_denied, {});
    CHECK_THROWS_CODE(import_token("not json"), Result::protocol, {});
}

TEST(serialize_save_load) {
    Token t = import_token(R"({"access_token":"abc","refresh_token":"r1","expires_in":60})");
    auto bytes = t.serialize();
    Token again = Token::deserialize(bytes);
    CHECK_EQ(again.value(), std::string_view("abc"));
    CHECK(again.expiration() == t.expiration());
    bytes.resize(bytes.size() - 3);
    CHECK_THROWS_CODE(Token::deserialize(bytes), Result::format, {});
    std::string dir = temp_dir();
    std::string path = dir + "/sub/AuthSession.bin";
    t.save(path);
    struct stat st {};
    CHECK_EQ(stat(path.c_str(), &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600u);
    Token loaded = Token::load(path);  // string_views live as long as their Token
    CHECK_EQ(loaded.refresh_token(), std::string_view("r1"));
    CHECK_EQ(Token::load(path).refresh_token(), std::string("r1"));  // a temporary: a copy
    CHECK_THROWS_CODE(Token::load(dir + "/missing.bin"), Result::io, {});
    std::remove(path.c_str());
    rmdir((dir + "/sub").c_str());
    rmdir(dir.c_str());
}

TEST(log_callback_install_and_remove) {
    int lines = 0;
    set_log_callback([&](int level, std::string_view message) {
        if (level >= 1 && level <= 4 && !message.empty()) ++lines;
    }, 4);
    CHECK_THROWS_CODE(import_token("{}"), Result::protocol, {});
    set_log_callback(nullptr);
    CHECK(lines >= 0);
}

TEST(read_identity_of_an_imported_token) {
    std::string iss = issuer();
    Params p = Params::openid();
    p.client_id("conf-post").client_secret("post-secret-123").configuration_url(iss)
        .scope("openid profile email offline_access");
    Token token = import_token(user::first_token_json(iss, "openid profile email offline_access"), p);
    CHECK(token.is_valid() && !token.refresh_token().empty() && !token.id_token().empty());
    Identity me = read_identity(token);
    CHECK(me.is_valid());
    CHECK_EQ(me.subject(), std::string_view("alice"));
    CHECK_EQ(me.email(), std::string_view("alice@example.com"));
    CHECK_EQ(me.first_name(), std::string_view("Test"));
    CHECK_EQ(me.last_name(), std::string_view("alice"));
    CHECK_EQ(me.name(), std::string_view("Test alice"));
    CHECK(me.claim("email_verified") == std::optional<std::string_view>("true"));
    CHECK(!me.claim("no_such_claim"));
    CHECK(me.source().find("\"sub\":\"alice\"") != std::string_view::npos);
    Identity info = get_user_info(token);
    CHECK_EQ(info.subject(), std::string_view("alice"));
    CHECK(info.id_token().empty());
}

TEST(userinfo_refuses_a_bad_token) {
    std::string iss = issuer();
    Params p = Params::oauth2();
    p.client_id("public-app").userinfo_url(iss + "/me");
    Token bogus = import_token(R"({"access_token":"not-a-real-token"})", p);
    CHECK_THROWS_CODE(get_user_info(bogus), Result::oauth, {
        CHECK_EQ(caught.oauth_error(), std::string("invalid_token"));
        CHECK_EQ(caught.http_status(), 401);
    });
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp core"); }
#endif
