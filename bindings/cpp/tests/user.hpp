// Test helpers: a tiny HTTP/1.1 client (plain http on loopback only) that plays the user
// through oidc-provider's devInteractions login and consent pages, the way a browser would.
#pragma once

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace user {

struct Url {
    std::string host, port, target;  // target: path and query
    std::string origin() const { return "http://" + host + ":" + port; }
};

inline Url parse_url(const std::string &url) {
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0) throw std::runtime_error("not http: " + url);
    auto rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    Url u;
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    u.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    return u;
}

/// `location` resolved against `base` (absolute URL, absolute path or query-only).
inline std::string join(const std::string &base, const std::string &location) {
    if (location.rfind("http://", 0) == 0) return location;
    Url b = parse_url(base);
    if (!location.empty() && location[0] == '/') return b.origin() + location;
    auto q = b.target.find('?');
    auto path = b.target.substr(0, q);
    if (!location.empty() && location[0] == '?') return b.origin() + path + location;
    return b.origin() + path.substr(0, path.rfind('/') + 1) + location;
}

inline std::string form_encode(const std::vector<std::pair<std::string, std::string>> &fields) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (auto &f : fields) {
        if (!out.empty()) out += '&';
        for (int part = 0; part < 2; ++part) {
            for (unsigned char c : part ? f.second : f.first) {
                if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                    out += static_cast<char>(c);
                } else {
                    out += '%';
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
            }
            if (part == 0) out += '=';
        }
    }
    return out;
}

struct Response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string header(const std::string &name) const {
        for (auto &h : headers)
            if (h.first == name) return h.second;
        return "";
    }
};

inline Response request(const std::string &method, const std::string &url, const std::string &body,
                        const std::string &content_type, std::map<std::string, std::string> *cookies) {
    Url u = parse_url(url);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *ai = nullptr;
    if (getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &ai) != 0) throw std::runtime_error("resolve " + url);
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    timeval tv{15, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc != 0) {
        close(fd);
        throw std::runtime_error("connect " + url);
    }
    std::string req = method + " " + u.target + " HTTP/1.1\r\nHost: " + u.host + ":" + u.port +
                      "\r\nConnection: close\r\nAccept: */*\r\n";
    if (cookies && !cookies->empty()) {
        req += "Cookie: ";
        bool first = true;
        for (auto &c : *cookies) {
            req += (first ? "" : "; ") + c.first + "=" + c.second;
            first = false;
        }
        req += "\r\n";
    }
    if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
    if (method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    for (size_t sent = 0; sent < req.size();) {
        ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            close(fd);
            throw std::runtime_error("send " + url);
        }
        sent += static_cast<size_t>(n);
    }
    std::string raw;
    char buf[8192];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            close(fd);
            throw std::runtime_error("recv " + url);
        }
        if (n == 0) break;
        raw.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    Response r;
    auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) throw std::runtime_error("no HTTP head from " + url);
    std::string head = raw.substr(0, head_end);
    r.body = raw.substr(head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    r.status = std::atoi(status_line.c_str() + status_line.find(' ') + 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        pos = e + 2;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto &ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "set-cookie" && cookies) {
            auto pair = value.substr(0, value.find(';'));
            auto eq = pair.find('=');
            (*cookies)[pair.substr(0, eq)] = pair.substr(eq + 1);
        }
        r.headers.emplace_back(name, value);
    }
    if (r.header("transfer-encoding").find("chunked") != std::string::npos) {
        std::string decoded;
        size_t p = 0;
        for (;;) {
            size_t e = r.body.find("\r\n", p);
            if (e == std::string::npos) break;
            size_t size = std::strtoul(r.body.substr(p, e - p).c_str(), nullptr, 16);
            if (size == 0) break;
            decoded += r.body.substr(e + 2, size);
            p = e + 2 + size + 2;
        }
        r.body = decoded;
    }
    return r;
}

/// The hidden inputs of the form starting at `form`, form-encoded.
inline std::string hidden_inputs(const std::string &form) {
    std::vector<std::pair<std::string, std::string>> fields;
    size_t end = form.find("</form>");
    for (size_t at = form.find("<input"); at != std::string::npos && at < end; at = form.find("<input", at + 1)) {
        std::string tag = form.substr(at, form.find('>', at) - at);
        if (tag.find("type=\"hidden\"") == std::string::npos) continue;
        auto attr = [&](const std::string &name) {
            auto a = tag.find(name + "=\"");
            if (a == std::string::npos) return std::string();
            a += name.size() + 2;
            return tag.substr(a, tag.find('"', a) - a);
        };
        fields.emplace_back(attr("name"), attr("value"));
    }
    return form_encode(fields);
}

/// Plays `login` from `start_url` through the provider's pages (the device flow's
/// confirmation, login, consent). Returns the URL the provider finally redirects the browser
/// to on another origin (not fetched), or "" when it ends on a page of its own without a form
/// (the device flow's success page).
inline std::string walk_pages(const std::string &start_url, const std::string &login = "alice") {
    std::map<std::string, std::string> cookies;
    const std::string origin = parse_url(start_url).origin();
    std::string url = start_url;
    std::string form;
    for (int step = 0; step < 12; ++step) {
        Response r = form.empty() ? request("GET", url, "", "", &cookies)
                                  : request("POST", url, form, "application/x-www-form-urlencoded", &cookies);
        form.clear();
        if (r.status >= 300 && r.status < 400) {
            std::string target = join(url, r.header("location"));
            if (parse_url(target).origin() != origin) return target;
            url = target;
            continue;
        }
        if (r.status != 200) throw std::runtime_error("login: " + url + " answered " + std::to_string(r.status) + "\n" + r.body);
        auto at = r.body.find("<form");
        if (at == std::string::npos) return "";
        auto a = r.body.find("action=\"", at);
        if (a == std::string::npos) throw std::runtime_error("login: a form without action at " + url);
        a += 8;
        std::string action = r.body.substr(a, r.body.find('"', a) - a);
        for (size_t amp; (amp = action.find("&amp;")) != std::string::npos;) action.replace(amp, 5, "&");
        url = join(url, action);
        if (r.body.find("name=\"prompt\" value=\"login\"") != std::string::npos) {
            form = form_encode({{"prompt", "login"}, {"login", login}, {"password", "any-password"}});
        } else if (r.body.find("name=\"prompt\" value=\"consent\"") != std::string::npos) {
            form = form_encode({{"prompt", "consent"}});
        } else {
            form = hidden_inputs(r.body.substr(at));  // e.g. the device flow's "Continue"
            if (form.empty()) form = "continue=1";
        }
    }
    throw std::runtime_error("login: too many steps");
}

/// Plays `login` through the login and consent pages; returns the URL the provider finally
/// redirects the browser to (not fetched).
inline std::string login_over_http(const std::string &authorization_url, const std::string &login = "alice") {
    std::string redirect = walk_pages(authorization_url, login);
    if (redirect.empty()) throw std::runtime_error("login: no redirect out of the provider from " + authorization_url);
    return redirect;
}

/// The whole browser: signs in, then GETs the loopback redirect the library listens on.
inline std::string play_user(const std::string &authorization_url, const std::string &login = "alice") {
    std::string redirect = login_over_http(authorization_url, login);
    request("GET", redirect, "", "", nullptr);
    return redirect;
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
    const std::string redirect_uri = "http://127.0.0.1:9/callback";
    std::string url = issuer + "/auth?" +
                      form_encode({{"response_type", "code"}, {"client_id", "conf-post"},
                                   {"redirect_uri", redirect_uri}, {"scope", scope},
                                   {"state", "st"}, {"prompt", "consent"}});
    std::string redirect = login_over_http(url);
    std::string code = query_param(redirect, "code");
    if (code.empty()) throw std::runtime_error("no code in " + redirect);
    Response r = request("POST", issuer + "/token",
                         form_encode({{"grant_type", "authorization_code"}, {"code", code},
                                      {"redirect_uri", redirect_uri}, {"client_id", "conf-post"},
                                      {"client_secret", "post-secret-123"}}),
                         "application/x-www-form-urlencoded", nullptr);
    if (r.status != 200) throw std::runtime_error("token endpoint: " + r.body);
    return r.body;
}

}  // namespace user
