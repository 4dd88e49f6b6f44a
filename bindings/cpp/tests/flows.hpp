// Shared helpers of the flow tests: the provider, the user in a "browser" thread.
#pragma once

#include "check.hpp"
#include "user.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace authtoken;
using namespace std::chrono_literals;

inline std::string issuer() {
    const char *i = std::getenv("AUTHTOKEN_TEST_ISSUER");
    if (!i || !*i) throw check::Skip{"AUTHTOKEN_TEST_ISSUER is not set (no provider)"};
    return i;
}

inline std::string key_path(const char *name) {
    const char *root = std::getenv("AUTHTOKEN_ROOT");
    return std::string(root ? root : ".") + "/tests/provider/keys/" + name;
}

inline bool exists(const std::string &path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

inline std::string temp_dir() {
    char tmpl[] = "/tmp/authtoken-cpp-XXXXXX";
    const char *d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp");
    return d;
}

/// The open-URL callback of the tests: a thread plays the user, as a browser would, while the
/// library waits on its loopback listener.
struct Browser {
    std::vector<std::string> urls;
    std::vector<std::thread> threads;
    std::vector<std::string> errors;
    std::mutex mutex;

    OpenUrlFn callback() {
        return [this](std::string_view url) {
            std::lock_guard<std::mutex> lock(mutex);
            urls.emplace_back(url);
            threads.emplace_back([this, u = std::string(url)] {
                try {
                    user::play_user(u);
                } catch (const std::exception &e) {
                    std::lock_guard<std::mutex> lock2(mutex);
                    errors.push_back(e.what());
                }
            });
            return true;
        };
    }
    void join() {
        for (auto &t : threads) t.join();
        threads.clear();
        if (!errors.empty()) throw check::Failure{"the user thread failed: " + errors[0]};
    }
    ~Browser() {
        for (auto &t : threads) t.join();
    }
};

/// The device-prompt callback of the tests: a thread plays the user on another device, who
/// opens verification_uri_complete, confirms the code, signs in and consents.
struct OtherDevice {
    explicit OtherDevice(std::string login) : login(std::move(login)) {}
    std::string login;
    std::vector<std::string> codes, uris, complete_uris;
    std::vector<std::chrono::seconds> expires;
    std::vector<std::thread> threads;
    std::vector<std::string> errors;
    std::mutex mutex;

    DevicePromptFn callback() {
        return [this](const DevicePrompt &p) {
            std::lock_guard<std::mutex> lock(mutex);
            codes.emplace_back(p.user_code);
            uris.emplace_back(p.verification_uri);
            complete_uris.emplace_back(p.verification_uri_complete);
            expires.push_back(p.expires_in);
            threads.emplace_back([this, u = std::string(p.verification_uri_complete)] {
                try {
                    std::string end = user::walk_pages(u, login);
                    if (!end.empty()) throw std::runtime_error("unexpected redirect to " + end);
                } catch (const std::exception &e) {
                    std::lock_guard<std::mutex> lock2(mutex);
                    errors.push_back(e.what());
                }
            });
            return true;
        };
    }
    void join() {
        for (auto &t : threads) t.join();
        threads.clear();
        if (!errors.empty()) throw check::Failure{"the device user failed: " + errors[0]};
    }
    ~OtherDevice() {
        for (auto &t : threads) t.join();
    }
};

inline Params public_params(const std::string &iss) {
    Params p = Params::openid();
    p.client_id("public-app")
        .configuration_url(iss)
        .scope("openid profile email offline_access")
        .redirect_url("http://127.0.0.1:0/callback")
        .login_timeout(30s)
        .http_timeout(10s);
    return p;
}

