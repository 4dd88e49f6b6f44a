// needs: auth_set_thread_log_callback auth_import_token auth_session_logout
// The library's log in C++: warnings reach std::clog by default (a logout that revokes
// nothing is seen), and a thread's own log callback hears that thread only. No provider: the
// session's parameters name no revocation endpoint.
#include "check.hpp"

#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace authtoken;

static std::string temp_dir() {
    char tmpl[] = "/tmp/authtoken-cpp-log-XXXXXX";
    const char *d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp");
    return d;
}

// A session on a file whose token no endpoint can revoke; logs out.
static void logout_without_revocation(const std::string &dir) {
    Params p = Params::oauth2();
    p.client_id("c");
    std::string path = dir + "/session.token";
    import_token(R"({"access_token":"a","refresh_token":"r"})", p).save(path);
    Session s(p, path);
    s.logout();
    FILE *f = std::fopen(path.c_str(), "r");
    CHECK(f == nullptr);  // the stored token is gone all the same
    if (f) std::fclose(f);
}

TEST(a_logout_that_revokes_nothing_warns_on_clog_by_default) {
    std::ostringstream heard;
    auto *saved = std::clog.rdbuf(heard.rdbuf());
    try {
        logout_without_revocation(temp_dir());
    } catch (...) {
        std::clog.rdbuf(saved);
        throw;
    }
    std::clog.rdbuf(saved);
    std::string text = heard.str();
    CHECK(text.find("authtoken: warning: logout: the stored token is deleted but the grant is "
                    "still live at the provider") != std::string::npos);
    CHECK(text.find("AUTH_OPT_REVOCATION_URL") != std::string::npos);
}

TEST(a_thread_log_callback_hears_its_thread_only) {
    std::vector<std::pair<int, std::string>> heard;
    set_thread_log_callback(
        [&](int level, std::string_view message) { heard.emplace_back(level, std::string(message)); }, 2);
    std::string dir = temp_dir();
    std::ostringstream elsewhere;
    auto *saved = std::clog.rdbuf(elsewhere.rdbuf());
    std::thread other([&] { logout_without_revocation(temp_dir()); });
    other.join();
    std::clog.rdbuf(saved);
    CHECK(heard.empty());  // the other thread's warning went to the process's log
    CHECK(elsewhere.str().find("grant is still live") != std::string::npos);
    logout_without_revocation(dir);
    set_thread_log_callback(nullptr);
    CHECK_EQ(heard.size(), std::size_t(1));
    if (!heard.empty()) {
        CHECK_EQ(heard[0].first, 2);
        CHECK(heard[0].second.find("grant is still live") != std::string::npos);
    }
}

#ifndef AUTHTOKEN_TEST_UNITY
int main() { return check::run_all("cpp log"); }
#endif
