// The WLanguage AuthRefreshToken example in C++: load the saved token, refresh it if it
// expires within a minute, otherwise log in (system browser); save it; read and print the
// identity.
//   seed_example <configuration-url> <client-id> <token-file>
#include <authtoken.hpp>

#include <fstream>
#include <iostream>
#include <optional>

using namespace std::chrono_literals;

int main(int argc, char **argv) {
    if (argc != 4) {
        std::cerr << "authtoken " << authtoken::version() << "\n"
                  << "usage: " << argv[0] << " <configuration-url> <client-id> <token-file>\n";
        return 2;
    }
    const std::string path = argv[3];
    try {
        authtoken::Params svc = authtoken::Params::openid();
        svc.client_id(argv[2])
            .configuration_url(argv[1])
            .scope("openid profile email offline_access")
            .redirect_url("http://127.0.0.1:0/callback");

        std::optional<authtoken::Token> session;
        if (std::ifstream(path).good()) {
            try {
                session = authtoken::Token::load(path);
                // Expired or expiring within the minute, and refreshable?
                if (session->expires_within(60s) && !session->refresh_token().empty()) {
                    session = authtoken::refresh_token(*session);
                    session->save(path);
                }
            } catch (const authtoken::Error &e) {
                std::cerr << "Saved session is invalid: " << e.what() << "\n";
                session.reset();
            }
        }
        if (!session || !session->is_valid()) {
            session = authtoken::identify(svc);  // opens the browser
            session->save(path);
        }
        authtoken::Identity me = authtoken::read_identity(*session);
        std::cout << "Connection OK: " << me.source() << "\n";
        return 0;
    } catch (const authtoken::Error &e) {
        std::cerr << "Could not start the session: " << e.what() << " ("
                  << authtoken::result_name(e.code()) << ")\n";
        return 1;
    }
}
