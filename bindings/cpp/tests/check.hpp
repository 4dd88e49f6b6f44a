// A minimal test runner: TEST(name) { ... } with CHECK / CHECK_EQ / CHECK_THROWS_CODE; main
// runs every test and prints "NAME: N passed, N failed".
#pragma once

#include "authtoken.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace check {

struct Case {
    const char *name;
    std::function<void()> run;
};
inline std::vector<Case> &cases() {
    static std::vector<Case> all;
    return all;
}
struct Register {
    Register(const char *name, std::function<void()> run) { cases().push_back({name, std::move(run)}); }
};
struct Failure {
    std::string what;
};
inline std::vector<std::string> &skipped() {
    static std::vector<std::string> s;
    return s;
}
struct Skip {
    std::string why;
};

inline int run_all(const char *suite) {
    int passed = 0, failed = 0, skips = 0;
    for (auto &c : cases()) {
        try {
            c.run();
            std::printf("ok - %s\n", c.name);
            ++passed;
        } catch (const Skip &s) {
            std::printf("skip - %s: %s\n", c.name, s.why.c_str());
            ++skips;
        } catch (const Failure &f) {
            std::printf("FAILED - %s: %s\n", c.name, f.what.c_str());
            ++failed;
        } catch (const authtoken::Error &e) {
            std::printf("FAILED - %s: authtoken::Error %s: %s (oauth_error=%s http_status=%d)\n",
                        c.name, std::string(authtoken::result_name(e.code())).c_str(), e.what(),
                        e.oauth_error().c_str(), e.http_status());
            ++failed;
        } catch (const std::exception &e) {
            std::printf("FAILED - %s: exception: %s\n", c.name, e.what());
            ++failed;
        }
        std::fflush(stdout);
    }
    // Not "N passed, N failed": only the test script's closing line has that form (scripts/test
    // sums those lines).
    std::printf("%s: %d ok; %d failed; %d skipped\n", suite, passed, failed, skips);
    return failed ? 1 : 0;
}

}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)
#define TEST(name)                                                                  \
    static void name();                                                             \
    static check::Register CHECK_CAT(register_, name)(#name, name);                 \
    static void name()

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::ostringstream m_;                                                           \
            m_ << __FILE__ << ":" << __LINE__ << ": CHECK(" #cond ")";                       \
            throw check::Failure{m_.str()};                                                  \
        }                                                                                    \
    } while (0)

#define CHECK_EQ(a, b)                                                                       \
    do {                                                                                     \
        auto va_ = (a);                                                                      \
        auto vb_ = (b);                                                                      \
        if (!(va_ == vb_)) {                                                                 \
            std::ostringstream m_;                                                           \
            m_ << __FILE__ << ":" << __LINE__ << ": " #a " == " #b ": " << va_ << " != " << vb_; \
            throw check::Failure{m_.str()};                                                  \
        }                                                                                    \
    } while (0)

// Runs `expr` and checks that it throws authtoken::Error with the given Result; the error is
// then available as `caught` in `then` (a block).
#define CHECK_THROWS_CODE(expr, result, then)                                                \
    do {                                                                                     \
        bool threw_ = false;                                                                 \
        try {                                                                                \
            (void)(expr);                                                                    \
        } catch (const authtoken::Error &caught) {                                           \
            threw_ = true;                                                                   \
            if (caught.code() != (result)) {                                                 \
                std::ostringstream m_;                                                       \
                m_ << __FILE__ << ":" << __LINE__ << ": " #expr " threw "                    \
                   << authtoken::result_name(caught.code()) << " (" << caught.what()         \
                   << "), not " #result;                                                     \
                throw check::Failure{m_.str()};                                              \
            }                                                                                \
            then                                                                             \
        }                                                                                    \
        if (!threw_) {                                                                       \
            std::ostringstream m_;                                                           \
            m_ << __FILE__ << ":" << __LINE__ << ": " #expr " did not throw";                \
            throw check::Failure{m_.str()};                                                  \
        }                                                                                    \
    } while (0)
