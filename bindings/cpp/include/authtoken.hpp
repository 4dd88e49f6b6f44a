// authtoken.hpp: a header-only C++17 wrapper over the authtoken C API (authtoken.h).
//
// - RAII, move-only owners of the C handles: Params, Token, Identity, Login, Session.
// - Failures throw authtoken::Error (result code, OAuth error, HTTP status, message).
// - Getters return std::string_view into the handle (valid while the handle lives); on a
//   temporary (`session.token().value()`) they return an owned std::string instead.
// - Times are std::chrono::system_clock::time_point.
// - Callbacks are std::function; an exception thrown by an open-URL or device-prompt callback
//   cancels the flow and is rethrown by the call that ran it.
// - The library's warnings and errors go to std::clog until the program calls
//   set_log_callback (an empty function turns the log off): a Session::logout() that could
//   revoke nothing is seen.
//
// No protocol logic lives here: every call goes to the library.
#ifndef AUTHTOKEN_HPP
#define AUTHTOKEN_HPP

#include "authtoken.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifdef AUTHTOKEN_HPP_DECLARE_CONTRACT
// The whole contract of the C API (shared/API.md), for building against a header that does
// not have every function yet. Redeclaring a function the header has is harmless; a
// signature that differs from the header is a compile error (a contract check).
extern "C" {
typedef struct auth_login auth_login;
typedef struct auth_session auth_session;
typedef void (*auth_token_changed_fn)(void *user_data, const struct auth_token *token);
enum auth_result auth_identify(const struct auth_params *params, struct auth_token **out_token);
enum auth_result auth_refresh_token(const struct auth_token *token, struct auth_token **out_token);
enum auth_result auth_verify_authentication(const struct auth_params *params,
                                            struct auth_token **out_token);
enum auth_result auth_revoke_token(const struct auth_token *token);
enum auth_result auth_introspect_token(const struct auth_token *token, char **out_json);
enum auth_result auth_logout(const struct auth_token *token);
enum auth_result auth_logout_with_params(const struct auth_params *params,
                                         const struct auth_token *token);
enum auth_result auth_create_jwt_assertion(const struct auth_params *params, char **out_jwt);
enum auth_result auth_login_begin(const struct auth_params *params, struct auth_login **out);
const char *auth_login_url(const struct auth_login *login);
enum auth_result auth_login_complete(const struct auth_login *login, const char *redirect_url,
                                     struct auth_token **out_token);
void auth_login_free(struct auth_login *login);
enum auth_result auth_session_new(const struct auth_params *params, const char *path,
                                  struct auth_session **out);
enum auth_result auth_session_set_token_changed(struct auth_session *session,
                                                auth_token_changed_fn fn, void *user_data);
enum auth_result auth_session_token(struct auth_session *session, int64_t min_valid_seconds,
                                    struct auth_token **out_token);
enum auth_result auth_session_logout(struct auth_session *session);
void auth_session_free(struct auth_session *session);
enum auth_result auth_session_open(const struct auth_params *params, const char *path,
                                   struct auth_token **out_token);
void auth_set_thread_log_callback(auth_log_fn callback, void *user_data, int max_level);
}
#endif

namespace authtoken {

/// auth_result: the values are fixed by the contract.
enum class Result : int {
    ok = AUTH_OK,
    invalid_argument = AUTH_ERROR_INVALID_ARGUMENT,
    not_refreshable = AUTH_ERROR_NOT_REFRESHABLE,
    network = AUTH_ERROR_NETWORK,
    timeout = AUTH_ERROR_TIMEOUT,
    protocol = AUTH_ERROR_PROTOCOL,
    oauth = AUTH_ERROR_OAUTH,
    invalid_grant = AUTH_ERROR_INVALID_GRANT,
    invalid_client = AUTH_ERROR_INVALID_CLIENT,
    access_denied = AUTH_ERROR_ACCESS_DENIED,
    cancelled = AUTH_ERROR_CANCELLED,
    state_mismatch = AUTH_ERROR_STATE_MISMATCH,
    id_token = AUTH_ERROR_ID_TOKEN,
    redirect = AUTH_ERROR_REDIRECT,
    browser = AUTH_ERROR_BROWSER,
    format = AUTH_ERROR_FORMAT,
    io = AUTH_ERROR_IO,
    unsupported = AUTH_ERROR_UNSUPPORTED,
    internal = AUTH_ERROR_INTERNAL,
};

/// "AUTH_ERROR_INVALID_GRANT" and so on.
inline std::string_view result_name(Result r) {
    return auth_result_name(static_cast<auth_result>(r));
}

/// The library's version, e.g. "0.1.0".
inline std::string_view version() { return auth_version(); }

/// A failure of the library: what() is the library's message.
class Error : public std::runtime_error {
public:
    Error(Result code, std::string message, std::string oauth_error, int http_status)
        : std::runtime_error(std::move(message)),
          code_(code),
          oauth_error_(std::move(oauth_error)),
          http_status_(http_status) {}

    /// The result code.
    Result code() const noexcept { return code_; }
    /// The server's OAuth `error` field (e.g. "invalid_grant"), "" if none.
    const std::string &oauth_error() const noexcept { return oauth_error_; }
    /// The HTTP status of the answer, 0 if none.
    int http_status() const noexcept { return http_status_; }

private:
    Result code_;
    std::string oauth_error_;
    int http_status_;
};

namespace detail {

/// Throws the calling thread's last error unless `r` is AUTH_OK.
inline void check(auth_result r) {
    if (r == AUTH_OK) return;
    // Copied at once: the library's strings live until the next call on this thread.
    std::string message = auth_last_error();
    std::string oauth_error = auth_last_oauth_error();
    int status = auth_last_http_status();
    if (message.empty()) message = auth_result_name(r);
    throw Error(static_cast<Result>(r), std::move(message), std::move(oauth_error), status);
}

/// A NUL-terminated copy of a string_view for the C API.
inline std::string c_str(std::string_view s) { return std::string(s); }

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};

/// A string the library gave the caller (freed with auth_string_free).
inline std::string take_string(char *s) {
    struct Guard {
        char *p;
        ~Guard() { auth_string_free(p); }
    } guard{s};
    return s ? std::string(s) : std::string();
}

inline std::chrono::system_clock::time_point from_unix(int64_t seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace detail

/// auth_kind.
enum class Kind : int { oauth2 = AUTH_KIND_OAUTH2, openid = AUTH_KIND_OPENID, jwt = AUTH_KIND_JWT };

/// auth_option (values fixed by the contract).
enum class Option : int {
    client_id = AUTH_OPT_CLIENT_ID,
    client_secret = AUTH_OPT_CLIENT_SECRET,
    auth_url = AUTH_OPT_AUTH_URL,
    token_url = AUTH_OPT_TOKEN_URL,
    scope = AUTH_OPT_SCOPE,
    redirect_url = AUTH_OPT_REDIRECT_URL,
    response_type = AUTH_OPT_RESPONSE_TYPE,
    additional_parameters = AUTH_OPT_ADDITIONAL_PARAMETERS,
    configuration_url = AUTH_OPT_CONFIGURATION_URL,
    client_auth = AUTH_OPT_CLIENT_AUTH,
    login_timeout = AUTH_OPT_LOGIN_TIMEOUT,
    http_timeout = AUTH_OPT_HTTP_TIMEOUT,
    flow = AUTH_OPT_FLOW,
    device_auth_url = AUTH_OPT_DEVICE_AUTH_URL,
    revocation_url = AUTH_OPT_REVOCATION_URL,
    userinfo_url = AUTH_OPT_USERINFO_URL,
    pkce = AUTH_OPT_PKCE,
    success_page = AUTH_OPT_SUCCESS_PAGE,
    logout_url = AUTH_OPT_LOGOUT_URL,
    introspection_url = AUTH_OPT_INTROSPECTION_URL,
    client_certificate = AUTH_OPT_CLIENT_CERTIFICATE,
    client_certificate_password = AUTH_OPT_CLIENT_CERTIFICATE_PASSWORD,
    jwt_private_key = AUTH_OPT_JWT_PRIVATE_KEY,
    jwt_algorithm = AUTH_OPT_JWT_ALGORITHM,
    jwt_key_id = AUTH_OPT_JWT_KEY_ID,
    jwt_issuer = AUTH_OPT_JWT_ISSUER,
    jwt_subject = AUTH_OPT_JWT_SUBJECT,
    jwt_audience = AUTH_OPT_JWT_AUDIENCE,
    ca_file = AUTH_OPT_CA_FILE,
    proxy = AUTH_OPT_PROXY,
    clock_skew = AUTH_OPT_CLOCK_SKEW,
    dpop = AUTH_OPT_DPOP,
    dpop_key = AUTH_OPT_DPOP_KEY,
    par = AUTH_OPT_PAR,
    par_url = AUTH_OPT_PAR_URL,
    request_object = AUTH_OPT_REQUEST_OBJECT,
    resource = AUTH_OPT_RESOURCE,
    authorization_details = AUTH_OPT_AUTHORIZATION_DETAILS,
    profile = AUTH_OPT_PROFILE,
    acr_values = AUTH_OPT_ACR_VALUES,
    max_age = AUTH_OPT_MAX_AGE,
    prompt = AUTH_OPT_PROMPT,
    login_hint = AUTH_OPT_LOGIN_HINT,
    requested_token_type = AUTH_OPT_REQUESTED_TOKEN_TYPE,
    audience = AUTH_OPT_AUDIENCE,
    actor_token = AUTH_OPT_ACTOR_TOKEN,
    actor_token_type = AUTH_OPT_ACTOR_TOKEN_TYPE,
    ciba_url = AUTH_OPT_CIBA_URL,
    binding_message = AUTH_OPT_BINDING_MESSAGE,
    store_key = AUTH_OPT_STORE_KEY,
};

/// What the device flow asks the user to do.
struct DevicePrompt {
    std::string_view verification_uri;
    std::string_view user_code;
    std::string_view verification_uri_complete;  ///< "" when the provider gave none
    std::chrono::seconds expires_in;
};

/// Shows the user the authorization URL; return false (or throw) to cancel the flow.
using OpenUrlFn = std::function<bool(std::string_view url)>;
/// Device flow prompt; return false (or throw) to cancel the flow.
using DevicePromptFn = std::function<bool(const DevicePrompt &)>;
/// Log lines: level 1 error ... 4 debug. Never holds secrets.
using LogFn = std::function<void(int level, std::string_view message)>;

namespace detail {

/// The callbacks of one Params, at a stable address (the C user_data). Shared with the
/// sessions made from the Params, which keep calling them.
struct Callbacks {
    OpenUrlFn open_url;
    DevicePromptFn device_prompt;
    std::mutex mutex;
    std::exception_ptr thrown;  // what a callback threw, rethrown by the call that ran it

    void remember(std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!thrown) thrown = std::move(e);
    }
    std::exception_ptr take() {
        std::lock_guard<std::mutex> lock(mutex);
        return std::exchange(thrown, nullptr);
    }

    static int call_open_url(void *self, const char *url) noexcept {
        auto *c = static_cast<Callbacks *>(self);
        try {
            return c->open_url && c->open_url(url ? url : "") ? 0 : 1;
        } catch (...) {
            c->remember(std::current_exception());
            return 1;
        }
    }
    static int call_device_prompt(void *self, const char *uri, const char *code,
                                  const char *complete, int64_t expires_in) noexcept {
        auto *c = static_cast<Callbacks *>(self);
        try {
            DevicePrompt p{uri ? uri : "", code ? code : "", complete ? complete : "",
                           std::chrono::seconds(expires_in)};
            return c->device_prompt && c->device_prompt(p) ? 0 : 1;
        } catch (...) {
            c->remember(std::current_exception());
            return 1;
        }
    }
};

/// Runs a C call that may run callbacks: a callback's exception wins over the library's
/// AUTH_ERROR_CANCELLED.
template <typename F>
void check_with(Callbacks &callbacks, F &&call) {
    callbacks.take();
    auth_result r = call();
    if (r != AUTH_OK) {
        if (auto thrown = callbacks.take()) std::rethrow_exception(thrown);
        check(r);
    }
}

inline std::mutex &log_mutex() {
    static std::mutex m;
    return m;
}
inline std::shared_ptr<LogFn> &log_slot() {
    static std::shared_ptr<LogFn> slot;
    return slot;
}
/// Whether the program chose its log (set_log_callback): the default then stays out.
inline bool &log_chosen() {
    static bool chosen = false;
    return chosen;
}

}  // namespace detail

/// Parameters of a provider and a client (auth_params: OAuth2Parameters, OpenIDParameters,
/// JWTParameters). Options are validated when set (Error with Result::invalid_argument).
/// Once configured, a Params may be used by several threads at once.
class Params {
public:
    explicit Params(Kind kind) : callbacks_(std::make_shared<detail::Callbacks>()) {
        auth_params *p = nullptr;
        detail::check(auth_params_new(static_cast<auth_kind>(kind), &p));
        handle_.reset(p);
    }
    static Params oauth2() { return Params(Kind::oauth2); }
    static Params openid() { return Params(Kind::openid); }
    static Params jwt() { return Params(Kind::jwt); }

    /// Sets an option (copied by the library).
    Params &set(Option option, std::string_view value) {
        std::string v(value);
        detail::check(auth_params_set(get(), static_cast<auth_option>(option), v.c_str()));
        return *this;
    }
    /// Puts an option back to its default.
    Params &reset(Option option) {
        detail::check(auth_params_set(get(), static_cast<auth_option>(option), nullptr));
        return *this;
    }
    Params &set(Option option, std::chrono::seconds value) {
        return set(option, std::to_string(value.count()));
    }

#define AUTHTOKEN_HPP_OPTION(name) \
    Params &name(std::string_view value) { return set(Option::name, value); }
    AUTHTOKEN_HPP_OPTION(client_id)
    AUTHTOKEN_HPP_OPTION(client_secret)
    AUTHTOKEN_HPP_OPTION(auth_url)
    AUTHTOKEN_HPP_OPTION(token_url)
    AUTHTOKEN_HPP_OPTION(scope)
    AUTHTOKEN_HPP_OPTION(redirect_url)
    AUTHTOKEN_HPP_OPTION(response_type)
    AUTHTOKEN_HPP_OPTION(additional_parameters)
    AUTHTOKEN_HPP_OPTION(configuration_url)
    AUTHTOKEN_HPP_OPTION(client_auth)
    AUTHTOKEN_HPP_OPTION(flow)
    AUTHTOKEN_HPP_OPTION(device_auth_url)
    AUTHTOKEN_HPP_OPTION(revocation_url)
    AUTHTOKEN_HPP_OPTION(userinfo_url)
    AUTHTOKEN_HPP_OPTION(pkce)
    AUTHTOKEN_HPP_OPTION(success_page)
    AUTHTOKEN_HPP_OPTION(logout_url)
    AUTHTOKEN_HPP_OPTION(introspection_url)
    AUTHTOKEN_HPP_OPTION(client_certificate)
    AUTHTOKEN_HPP_OPTION(client_certificate_password)
    AUTHTOKEN_HPP_OPTION(jwt_private_key)
    AUTHTOKEN_HPP_OPTION(jwt_algorithm)
    AUTHTOKEN_HPP_OPTION(jwt_key_id)
    AUTHTOKEN_HPP_OPTION(jwt_issuer)
    AUTHTOKEN_HPP_OPTION(jwt_subject)
    AUTHTOKEN_HPP_OPTION(jwt_audience)
    AUTHTOKEN_HPP_OPTION(ca_file)
    AUTHTOKEN_HPP_OPTION(proxy)
    AUTHTOKEN_HPP_OPTION(dpop)
    AUTHTOKEN_HPP_OPTION(dpop_key)
    AUTHTOKEN_HPP_OPTION(par)
    AUTHTOKEN_HPP_OPTION(par_url)
    AUTHTOKEN_HPP_OPTION(request_object)
    AUTHTOKEN_HPP_OPTION(resource)
    AUTHTOKEN_HPP_OPTION(authorization_details)
    AUTHTOKEN_HPP_OPTION(profile)
    AUTHTOKEN_HPP_OPTION(acr_values)
    AUTHTOKEN_HPP_OPTION(prompt)
    AUTHTOKEN_HPP_OPTION(login_hint)
    AUTHTOKEN_HPP_OPTION(requested_token_type)
    AUTHTOKEN_HPP_OPTION(audience)
    AUTHTOKEN_HPP_OPTION(actor_token)
    AUTHTOKEN_HPP_OPTION(actor_token_type)
    AUTHTOKEN_HPP_OPTION(ciba_url)
    AUTHTOKEN_HPP_OPTION(binding_message)
    AUTHTOKEN_HPP_OPTION(store_key)
#undef AUTHTOKEN_HPP_OPTION
    Params &login_timeout(std::chrono::seconds s) { return set(Option::login_timeout, s); }
    Params &http_timeout(std::chrono::seconds s) { return set(Option::http_timeout, s); }
    Params &clock_skew(std::chrono::seconds s) { return set(Option::clock_skew, s); }
    Params &max_age(std::chrono::seconds s) { return set(Option::max_age, s); }

    /// Shows the user the authorization URL instead of the system browser (empty: unset).
    /// Called on the thread running the flow. Not while a flow runs with these params.
    Params &on_open_url(OpenUrlFn fn) {
        bool set_it = static_cast<bool>(fn);
        callbacks_->open_url = std::move(fn);
        detail::check(auth_params_set_open_url(
            get(), set_it ? &detail::Callbacks::call_open_url : nullptr, callbacks_.get()));
        return *this;
    }
    /// Device flow prompt (empty: unset, the library prints to standard error).
    Params &on_device_prompt(DevicePromptFn fn) {
        bool set_it = static_cast<bool>(fn);
        callbacks_->device_prompt = std::move(fn);
        detail::check(auth_params_set_device_prompt(
            get(), set_it ? &detail::Callbacks::call_device_prompt : nullptr, callbacks_.get()));
        return *this;
    }

    /// Ends the interactive flows running with these params (from any thread): they throw
    /// Error with Result::cancelled.
    void cancel() const { detail::check(auth_params_cancel(get())); }

    auth_params *get() const {
        if (!handle_) throw std::logic_error("authtoken::Params used after a move");
        return handle_.get();
    }
    detail::Callbacks &callbacks() const {
        if (!callbacks_) throw std::logic_error("authtoken::Params used after a move");
        return *callbacks_;
    }
    const std::shared_ptr<detail::Callbacks> &shared_callbacks() const { return callbacks_; }

private:
    std::unique_ptr<auth_params, detail::Deleter<auth_params, auth_params_free>> handle_;
    std::shared_ptr<detail::Callbacks> callbacks_;
};

class Token;
Token refresh_token(const Token &token);

/// An access token with its refresh token, ID token and refresh context (auth_token).
/// Immutable; refreshing gives a new Token.
class Token {
public:
    /// Takes ownership of a token from the C API.
    explicit Token(auth_token *owned) : handle_(owned) {
        if (!owned) throw std::invalid_argument("authtoken::Token: NULL");
    }

    /// The access token.
    std::string_view value() const & { return auth_token_value(get()); }
    std::string value() const && { return auth_token_value(get()); }
    /// The refresh token, "" if none.
    std::string_view refresh_token() const & { return auth_token_refresh_token(get()); }
    std::string refresh_token() const && { return auth_token_refresh_token(get()); }
    std::string_view type() const & { return auth_token_type(get()); }
    std::string type() const && { return auth_token_type(get()); }
    std::string_view scope() const & { return auth_token_scope(get()); }
    std::string scope() const && { return auth_token_scope(get()); }
    std::string_view id_token() const & { return auth_token_id_token(get()); }
    std::string id_token() const && { return auth_token_id_token(get()); }
    /// The raw body of the last token answer.
    std::string_view server_response() const & { return auth_token_server_response(get()); }
    std::string server_response() const && { return auth_token_server_response(get()); }
    /// "Bearer <value>", or "DPoP <value>" for a DPoP-bound token.
    std::string_view authorization_header() const & { return auth_token_authorization_header(get()); }
    std::string authorization_header() const && { return auth_token_authorization_header(get()); }
    /// RFC 7638 thumbprint of the DPoP key the token is bound to; "" if it is not.
    std::string_view dpop_jkt() const & { return auth_token_dpop_jkt(get()); }
    std::string dpop_jkt() const && { return auth_token_dpop_jkt(get()); }
    /// RFC 9396 authorization details granted (a JSON array); "" if none.
    std::string_view authorization_details() const & { return auth_token_authorization_details(get()); }
    std::string authorization_details() const && { return auth_token_authorization_details(get()); }
    /// A DPoP proof for the host's own request `method` `url` with this token (RFC 9449 §7):
    /// send it as the `DPoP` header beside authorization_header(). `nonce`: the resource
    /// server's DPoP-Nonce, if it gave one.
    std::string dpop_proof(std::string_view method, std::string_view url,
                           std::optional<std::string_view> nonce = std::nullopt) const {
        std::string n = nonce ? std::string(*nonce) : std::string();
        char *proof = nullptr;
        detail::check(auth_token_dpop_proof(get(), detail::c_str(method).c_str(),
                                            detail::c_str(url).c_str(),
                                            nonce ? n.c_str() : nullptr, &proof));
        return detail::take_string(proof);
    }
    /// What a token exchange issued (a token type URI), "" if the answer named none.
    std::string_view issued_token_type() const & { return auth_token_issued_token_type(get()); }
    std::string issued_token_type() const && { return auth_token_issued_token_type(get()); }
    /// When the access token expires; empty if the server did not say.
    std::optional<std::chrono::system_clock::time_point> expiration() const {
        int64_t t = auth_token_expiration(get());
        if (t == 0) return std::nullopt;
        return detail::from_unix(t);
    }
    /// Has an access token that has not expired.
    bool is_valid() const { return auth_token_is_valid(get()); }
    explicit operator bool() const { return handle_ && is_valid(); }
    /// True when the token expires in less than `margin` (false when the expiry is unknown).
    bool expires_within(std::chrono::seconds margin) const {
        auto e = expiration();
        return e && *e - margin < std::chrono::system_clock::now();
    }

    /// The versioned binary form (holds secrets: keep it safe).
    std::vector<std::uint8_t> serialize() const {
        std::uint8_t *buf = nullptr;
        std::size_t len = 0;
        detail::check(auth_token_serialize(get(), &buf, &len));
        std::vector<std::uint8_t> out(buf, buf + len);
        auth_bytes_free(buf, len);
        return out;
    }
    static Token deserialize(const std::uint8_t *data, std::size_t size) {
        auth_token *t = nullptr;
        detail::check(auth_token_deserialize(data, size, &t));
        return Token(t);
    }
    static Token deserialize(const std::vector<std::uint8_t> &bytes) {
        return deserialize(bytes.data(), bytes.size());
    }
    /// Writes the token to `path` atomically, mode 0600.
    void save(std::string_view path) const {
        detail::check(auth_token_save(get(), detail::c_str(path).c_str()));
    }
    static Token load(std::string_view path) {
        auth_token *t = nullptr;
        detail::check(auth_token_load(detail::c_str(path).c_str(), &t));
        return Token(t);
    }
    /// An owned copy of a token the library only lends (e.g. during a callback).
    static Token copy_of(const auth_token *borrowed) {
        std::uint8_t *buf = nullptr;
        std::size_t len = 0;
        detail::check(auth_token_serialize(borrowed, &buf, &len));
        struct Guard {
            std::uint8_t *b;
            std::size_t n;
            ~Guard() { auth_bytes_free(b, n); }
        } guard{buf, len};
        return deserialize(buf, len);
    }

    /// authtoken::refresh_token(*this).
    Token refresh() const { return authtoken::refresh_token(*this); }

    const auth_token *get() const {
        if (!handle_) throw std::logic_error("authtoken::Token used after a move");
        return handle_.get();
    }

private:
    std::unique_ptr<auth_token, detail::Deleter<auth_token, auth_token_free>> handle_;
};

/// The claims about the signed-in user (auth_identity, OpenIDIdentity).
class Identity {
public:
    explicit Identity(auth_identity *owned) : handle_(owned) {
        if (!owned) throw std::invalid_argument("authtoken::Identity: NULL");
    }
    bool is_valid() const { return auth_identity_is_valid(get()); }
    /// Every claim as a JSON object.
    std::string_view source() const & { return auth_identity_source(get()); }
    std::string source() const && { return auth_identity_source(get()); }
    /// A claim in string form (JSON text for non-strings); empty if absent.
    std::optional<std::string_view> claim(std::string_view name) const & {
        const char *v = auth_identity_claim(get(), detail::c_str(name).c_str());
        if (!v) return std::nullopt;
        return std::string_view(v);
    }
    std::optional<std::string> claim(std::string_view name) const && {
        const char *v = auth_identity_claim(get(), detail::c_str(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    }
    std::string_view subject() const & { return auth_identity_subject(get()); }
    std::string subject() const && { return auth_identity_subject(get()); }
    std::string_view email() const & { return auth_identity_email(get()); }
    std::string email() const && { return auth_identity_email(get()); }
    std::string_view first_name() const & { return auth_identity_first_name(get()); }
    std::string first_name() const && { return auth_identity_first_name(get()); }
    std::string_view last_name() const & { return auth_identity_last_name(get()); }
    std::string last_name() const && { return auth_identity_last_name(get()); }
    std::string_view name() const & { return auth_identity_name(get()); }
    std::string name() const && { return auth_identity_name(get()); }
    std::string_view id_token() const & { return auth_identity_id_token(get()); }
    std::string id_token() const && { return auth_identity_id_token(get()); }

    const auth_identity *get() const {
        if (!handle_) throw std::logic_error("authtoken::Identity used after a move");
        return handle_.get();
    }

private:
    std::unique_ptr<auth_identity, detail::Deleter<auth_identity, auth_identity_free>> handle_;
};

// ------------------------------------------------------------------------------ flows

/// AuthIdentify: a token as the params say (browser login on a loopback redirect, device
/// flow, CIBA, client credentials, JWT bearer). Blocks until done, the login timeout or
/// cancel().
inline Token identify(const Params &params) {
    auth_token *t = nullptr;
    detail::check_with(params.callbacks(), [&] { return auth_identify(params.get(), &t); });
    return Token(t);
}

/// AuthVerifyAuthentication: a silent login (prompt=none).
inline Token verify_authentication(const Params &params) {
    auth_token *t = nullptr;
    detail::check_with(params.callbacks(),
                       [&] { return auth_verify_authentication(params.get(), &t); });
    return Token(t);
}

/// Step-up (RFC 9470): signs the user in again as a resource server's WWW-Authenticate value
/// asks (its acr_values and max_age replace the params'); the new ID token must meet them.
inline Token step_up(const Params &params, std::string_view www_authenticate) {
    auth_token *t = nullptr;
    detail::check_with(params.callbacks(), [&] {
        return auth_step_up(params.get(), detail::c_str(www_authenticate).c_str(), &t);
    });
    return Token(t);
}

/// A WWW-Authenticate value as JSON: [{"scheme":"Bearer","params":{"error":"..."}}], or
/// {"scheme":"Basic","token68":"..."} for a token68 challenge.
inline std::string parse_challenge(std::string_view www_authenticate) {
    char *json = nullptr;
    detail::check(auth_parse_challenge(detail::c_str(www_authenticate).c_str(), &json));
    return detail::take_string(json);
}

/// Token exchange (RFC 8693): `subject_token` (of `subject_token_type`, default an access
/// token) for a new token, with the params' client, scope, audience, requested token type and
/// actor token.
inline Token exchange_token(const Params &params, std::string_view subject_token,
                            std::optional<std::string_view> subject_token_type = std::nullopt) {
    auth_token *t = nullptr;
    std::string type = subject_token_type ? std::string(*subject_token_type) : std::string();
    detail::check(auth_exchange_token(params.get(), detail::c_str(subject_token).c_str(),
                                      subject_token_type ? type.c_str() : nullptr, &t));
    return Token(t);
}

/// AuthRefreshToken: a new token; `token` stays valid.
inline Token refresh_token(const Token &token) {
    auth_token *t = nullptr;
    detail::check(auth_refresh_token(token.get(), &t));
    return Token(t);
}

/// AuthRevokeToken (RFC 7009).
inline void revoke_token(const Token &token) { detail::check(auth_revoke_token(token.get())); }

/// AuthIntrospectToken (RFC 7662): the provider's JSON answer.
inline std::string introspect_token(const Token &token) {
    char *json = nullptr;
    detail::check(auth_introspect_token(token.get(), &json));
    return detail::take_string(json);
}

/// AuthLogout: ends the user's session at the provider in the system browser.
inline void logout(const Token &token) { detail::check(auth_logout(token.get())); }

/// AuthLogout with the params' open-URL callback, redirect URL (the post-logout redirect),
/// login timeout and cancel().
inline void logout(const Params &params, const Token &token) {
    detail::check_with(params.callbacks(),
                       [&] { return auth_logout_with_params(params.get(), token.get()); });
}

/// AuthImportToken: a token from a token endpoint answer obtained some other way.
inline Token import_token(std::string_view json, const Params *params = nullptr) {
    auth_token *t = nullptr;
    detail::check(
        auth_import_token(params ? params->get() : nullptr, detail::c_str(json).c_str(), &t));
    return Token(t);
}
inline Token import_token(std::string_view json, const Params &params) {
    return import_token(json, &params);
}

/// A signed client or grant assertion (JWT text) made from the jwt_* options.
inline std::string create_jwt_assertion(const Params &params) {
    char *jwt = nullptr;
    detail::check(auth_create_jwt_assertion(params.get(), &jwt));
    return detail::take_string(jwt);
}

/// OpenIDReadIdentity: the ID token's claims merged with the userinfo answer.
inline Identity read_identity(const Token &token) {
    auth_identity *i = nullptr;
    detail::check(auth_read_identity(token.get(), &i));
    return Identity(i);
}

/// AuthGetUserInfo: the userinfo endpoint's answer only.
inline Identity get_user_info(const Token &token) {
    auth_identity *i = nullptr;
    detail::check(auth_get_user_info(token.get(), &i));
    return Identity(i);
}

/// Sends the library's log lines up to `max_level` (1 error ... 4 debug) to `fn`, from any
/// thread, in place of the default (warnings and errors to std::clog); an empty fn turns
/// logging off. Exceptions thrown by `fn` are ignored.
inline void set_log_callback(LogFn fn, int max_level = 3) {
    std::lock_guard<std::mutex> lock(detail::log_mutex());
    detail::log_chosen() = true;
    auto &slot = detail::log_slot();
    if (!fn) {
        auth_set_log_callback(nullptr, nullptr, 0);
        slot.reset();
        return;
    }
    auto next = std::make_shared<LogFn>(std::move(fn));
    auth_set_log_callback(
        [](void *user_data, int level, const char *message) {
            try {
                (*static_cast<LogFn *>(user_data))(level, message ? message : "");
            } catch (...) {
            }
        },
        next.get(), max_level);
    // The previous function may still be running on another thread: keep it alive.
    static std::vector<std::shared_ptr<LogFn>> retired;
    if (slot) retired.push_back(std::move(slot));
    slot = std::move(next);
}

/// Sends what the library logs on the calling thread, and on it only, to `fn` (up to
/// `max_level`) instead of to the process's callback; an empty fn removes it
/// (auth_set_thread_log_callback). E.g. to show the warnings of one call to whoever made it.
inline void set_thread_log_callback(LogFn fn, int max_level = 3) {
    thread_local std::shared_ptr<LogFn> slot, previous;
    // The one being replaced may be the caller (a callback that replaces itself): keep it
    // until the next replacement.
    previous = std::move(slot);
    if (!fn) {
        auth_set_thread_log_callback(nullptr, nullptr, 0);
        return;
    }
    slot = std::make_shared<LogFn>(std::move(fn));
    auth_set_thread_log_callback(
        [](void *user_data, int level, const char *message) {
            try {
                (*static_cast<LogFn *>(user_data))(level, message ? message : "");
            } catch (...) {
            }
        },
        slot.get(), max_level);
}

namespace detail {
// Until the program calls set_log_callback: warnings and errors on std::clog, one line each.
inline const bool default_log_installed = [] {
    std::lock_guard<std::mutex> lock(log_mutex());
    if (log_chosen()) return false;  // a static initializer of the program's ran first
    auth_set_log_callback(
        [](void *, int level, const char *message) {
            std::string line = std::string("authtoken: ") + (level <= 1 ? "error: " : "warning: ") +
                               (message ? message : "") + "\n";
            std::clog << line << std::flush;
        },
        nullptr, 2);
    return true;
}();
}  // namespace detail

// ------------------------------------------------------------------------------ login

/// Two-step login for hosts that receive the redirect themselves.
class Login {
public:
    /// Makes state, nonce and the PKCE verifier (and fetches discovery for OpenID).
    explicit Login(const Params &params) {
        auth_login *l = nullptr;
        detail::check(auth_login_begin(params.get(), &l));
        handle_.reset(l);
    }
    /// Where to send the user.
    std::string_view url() const & { return auth_login_url(get()); }
    std::string url() const && { return auth_login_url(get()); }
    /// Checks state and iss, exchanges the code, validates the ID token.
    Token complete(std::string_view redirect_url) const {
        auth_token *t = nullptr;
        detail::check(auth_login_complete(get(), detail::c_str(redirect_url).c_str(), &t));
        return Token(t);
    }
    const auth_login *get() const {
        if (!handle_) throw std::logic_error("authtoken::Login used after a move");
        return handle_.get();
    }

private:
    std::unique_ptr<auth_login, detail::Deleter<auth_login, auth_login_free>> handle_;
};

// ------------------------------------------------------------------------------ session

/// A token that stays fresh: the current one, else a refresh, else a login; kept in a file
/// when a path is given (auth_session).
class Session {
public:
    using TokenChangedFn = std::function<void(const Token &)>;

    /// `path` empty: memory only. The file, if any, is read now if it exists. The session
    /// keeps the params' callbacks alive.
    explicit Session(const Params &params, std::string_view path = {})
        : callbacks_(params.shared_callbacks()), changed_(std::make_unique<TokenChangedFn>()) {
        auth_session *s = nullptr;
        std::string p(path);
        detail::check(auth_session_new(params.get(), path.empty() ? nullptr : p.c_str(), &s));
        handle_.reset(s);
    }

    /// Called with a copy of every new token (login or refresh); exceptions are ignored.
    Session &on_token_changed(TokenChangedFn fn) {
        bool set_it = static_cast<bool>(fn);
        *changed_ = std::move(fn);
        detail::check(auth_session_set_token_changed(get(), set_it ? &call_changed : nullptr,
                                                     changed_.get()));
        return *this;
    }

    /// A token valid for at least `min_valid`.
    Token token(std::chrono::seconds min_valid = std::chrono::seconds(60)) {
        auth_token *t = nullptr;
        detail::check_with(*callbacks_,
                           [&] { return auth_session_token(get(), min_valid.count(), &t); });
        return Token(t);
    }

    /// Revokes what can be revoked and deletes the file.
    void logout() { detail::check(auth_session_logout(get())); }

    auth_session *get() const {
        if (!handle_) throw std::logic_error("authtoken::Session used after a move");
        return handle_.get();
    }

private:
    static void call_changed(void *user_data, const auth_token *token) noexcept {
        try {
            (*static_cast<TokenChangedFn *>(user_data))(Token::copy_of(token));
        } catch (...) {
        }
    }

    std::shared_ptr<detail::Callbacks> callbacks_;
    std::unique_ptr<TokenChangedFn> changed_;
    std::unique_ptr<auth_session, detail::Deleter<auth_session, auth_session_free>> handle_;
};

/// auth_session_open: a token valid for at least a minute from the file at `path` (refreshed
/// if needed) or from a login; the file is kept up to date.
inline Token open_session(const Params &params, std::string_view path = {}) {
    auth_token *t = nullptr;
    std::string p(path);
    detail::check_with(params.callbacks(), [&] {
        return auth_session_open(params.get(), path.empty() ? nullptr : p.c_str(), &t);
    });
    return Token(t);
}

}  // namespace authtoken

#endif  // AUTHTOKEN_HPP
