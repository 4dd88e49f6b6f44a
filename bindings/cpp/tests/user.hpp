// Test helpers: the user of the test provider, played through its devInteractions pages by
// tests/support/user.mjs (the player of every language's tests, in its HTTP mode), run as a
// child process.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace user {

inline std::string shell_quote(const std::string &s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs `node tests/support/user.mjs <args>`; its standard output and error, or throws with
/// them when it fails.
inline std::string run_player(const std::vector<std::string> &args) {
    const char *root = std::getenv("AUTHTOKEN_ROOT");
    std::string command = "node " + shell_quote(std::string(root ? root : ".") + "/tests/support/user.mjs");
    for (auto &a : args) command += " " + shell_quote(a);
    command += " 2>&1 </dev/null";
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + command);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    int status = pclose(pipe);
    if (status != 0) throw std::runtime_error("the user player failed (" + command + "): " + out);
    return out;
}

/// A string field of the player's one-line JSON report (URLs and page text: no escaped quote
/// in the URLs it reports).
inline std::string report_field(const std::string &report, const std::string &name) {
    auto at = report.find("\"" + name + "\":\"");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return report.substr(at, report.find('"', at) - at);
}

/// Plays `login` from `start_url` through the provider's pages (the device flow's
/// confirmation, login, consent). Returns the URL the provider finally redirects the browser
/// to on another origin (not fetched), or "" when it ends on a page of its own (the device
/// flow's success page).
inline std::string walk_pages(const std::string &start_url, const std::string &login = "alice") {
    std::string report = run_player({"play", "--no-follow", "--login", login, start_url});
    return report.find("\"left\":true") != std::string::npos ? report_field(report, "final") : "";
}

/// Plays `login` through the login and consent pages; returns the URL the provider finally
/// redirects the browser to (not fetched).
inline std::string login_over_http(const std::string &authorization_url, const std::string &login = "alice") {
    std::string redirect = walk_pages(authorization_url, login);
    if (redirect.empty()) throw std::runtime_error("login: no redirect out of the provider from " + authorization_url);
    return redirect;
}

/// The whole browser: signs in, then loads the loopback redirect the library listens on.
inline std::string play_user(const std::string &authorization_url, const std::string &login = "alice") {
    std::string report = run_player({"play", "--login", login, authorization_url});
    if (report.find("\"left\":true") == std::string::npos)
        throw std::runtime_error("login: no redirect out of the provider from " + authorization_url);
    return report_field(report, "final");
}

/// A query parameter of a URL (not decoded), "" if absent.
inline std::string query_param(const std::string &url, const std::string &name) {
    auto q = url.find('?');
    if (q == std::string::npos) return "";
    std::string query = "&" + url.substr(q + 1);
    auto at = query.find("&" + name + "=");
    if (at == std::string::npos) return "";
    at += name.size() + 2;
    return query.substr(at, query.find('&', at) - at);
}

/// A token endpoint answer for alice (confidential client conf-post, no library involved).
inline std::string first_token_json(const std::string &issuer, const std::string &scope) {
    return run_player({"token", "--issuer", issuer, "--client", "conf-post", "--secret", "post-secret-123",
                       "--scope", scope});
}

/// The user's phone in a CIBA sign-in: waits for the provider's pending request for `login`
/// and approves it (or refuses it with `action` "deny"); returns the player's report.
inline std::string answer_ciba(const std::string &issuer, const std::string &login,
                               const std::string &action = "approve") {
    return run_player({"ciba", "--issuer", issuer, "--login", login, "--action", action});
}

}  // namespace user
