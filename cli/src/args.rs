//! The command line's grammar (clap): commands, options, their help and examples. The help,
//! the shell completions and the man pages are all generated from these definitions.

use authtoken_core::config::{ClientAuth, Flow};
use clap::builder::PossibleValuesParser;
use clap::{ArgAction, Args, Parser, Subcommand};
use clap_complete::Shell;
use std::path::PathBuf;

/// `--min-valid` unless given.
pub const DEFAULT_MIN_VALID: i64 = 60;

const ABOUT: &str = "OAuth 2.0 and OpenID Connect tokens for shells, scripts and CI jobs";

const LONG_ABOUT: &str = "\
OAuth 2.0 and OpenID Connect tokens for shells, scripts and CI jobs, from any provider.

`authtoken token` prints a valid access token: the stored one while it is valid, else a \
refreshed one, else one from a new sign-in (the browser, or the device flow where no browser \
can be opened). Only the requested output goes to standard output; messages, prompts and the \
device code go to standard error, never a secret.";

const AFTER_LONG_HELP: &str = "\
Profiles: a TOML file, $XDG_CONFIG_HOME/authtoken/config.toml (or --config), one \
[profile.NAME] table per profile with keys named like the long options (issuer, auth_url, \
token_url, client_id, client_secret, client_auth, scope, redirect_url, flow, dpop, timeout, \
store, min_valid). Without --profile: \"default\". The command line wins over the \
environment (AUTHTOKEN_CLIENT_SECRET), which wins over the profile.

    [profile.default]
    issuer = \"https://login.example.com\"
    client_id = \"my-cli\"
    scope = \"openid email offline_access\"

    [profile.ci]
    issuer = \"https://login.example.com\"
    client_id = \"deploy-bot\"
    flow = \"client_credentials\"   # the secret from AUTHTOKEN_CLIENT_SECRET

Tokens are stored in $XDG_STATE_HOME/authtoken/<profile>.token (mode 0600) unless --store \
says otherwise; a stored token is used whatever the flow that obtained it.

Exit status: 0 on success; else the library's result code of the failure (2 not refreshable, \
3 network, 4 timeout, 5 protocol, 6 OAuth error, 7 invalid grant: sign in again, 8 invalid \
client, 9 access denied, 10 cancelled, 11 state mismatch, 12 ID token, 13 redirect, \
14 browser, 15 format, 16 I/O, 17 unsupported, 99 internal); 1 for a usage error (unknown \
command, option or profile, a bad value).

Examples:
  curl -H \"Authorization: $(authtoken header)\" https://api.example.com/me
  authtoken login --issuer https://login.example.com --client-id my-cli
  authtoken --profile ci token";

/// `authtoken [--config FILE] [--profile NAME] COMMAND [OPTIONS]`
#[derive(Debug, Parser)]
#[command(
    name = "authtoken",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP,
    arg_required_else_help = true,
    propagate_version = true
)]
pub struct Cli {
    /// The profile file [default: $XDG_CONFIG_HOME/authtoken/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The profile: a [profile.NAME] table of the profile file [default: default]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// More on standard error: -v what happens, -vv every HTTP exchange (secrets redacted)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (browser; device flow with --device or when no browser can be opened) and store
    /// the token
    #[command(after_help = "\
Examples:
  authtoken login --issuer https://login.example.com --client-id my-cli
  authtoken login --device              # sign in on another device with a code
  ssh -L 8765:127.0.0.1:8765 server 'authtoken login --redirect-url http://127.0.0.1:8765/callback'")]
    Login {
        #[command(flatten)]
        session: SessionArgs,
        #[command(flatten)]
        sign_in: SignInArgs,
    },

    /// Print a valid access token (stored, refreshed, or after a sign-in), one line, nothing
    /// else on stdout
    #[command(after_help = "\
Examples:
  TOKEN=$(authtoken token --profile api)
  authtoken token --min-valid 600       # valid for at least ten more minutes")]
    Token {
        #[command(flatten)]
        session: SessionArgs,
        #[command(flatten)]
        sign_in: SignInArgs,
        #[command(flatten)]
        freshness: Freshness,
    },

    /// Print the Authorization header value ("Bearer …" or "DPoP …")
    #[command(after_help = "\
Example:
  curl -H \"Authorization: $(authtoken header --profile api)\" https://api.example.com/v1/items")]
    Header {
        #[command(flatten)]
        session: SessionArgs,
        #[command(flatten)]
        sign_in: SignInArgs,
        #[command(flatten)]
        freshness: Freshness,
    },

    /// Print the identity's claims (ID token and userinfo) as one flat JSON object
    #[command(after_help = "\
Example:
  authtoken whoami | jq -r .email")]
    Whoami {
        #[command(flatten)]
        session: SessionArgs,
        #[command(flatten)]
        sign_in: SignInArgs,
    },

    /// Print {"valid","expires_at","scope","has_refresh_token","token_type"} of the stored
    /// token, without network
    #[command(after_help = "\
Exits 0 whenever the status could be read, signed in or not: test .valid.

Example:
  authtoken status | jq -e .valid >/dev/null || authtoken login")]
    Status {
        #[command(flatten)]
        session: SessionArgs,
    },

    /// Refresh now and store the result
    #[command(after_help = "\
Example:
  authtoken refresh --profile api")]
    Refresh {
        #[command(flatten)]
        session: SessionArgs,
    },

    /// Print the provider's introspection answer about the stored token (RFC 7662)
    #[command(after_help = "\
Example:
  authtoken introspect | jq .active")]
    Introspect {
        #[command(flatten)]
        session: SessionArgs,
    },

    /// Revoke what can be revoked and delete the stored token
    #[command(after_help = "\
Example:
  authtoken logout --profile api")]
    Logout {
        #[command(flatten)]
        session: SessionArgs,
    },

    /// Print the shell completion script (from the same definitions as this help)
    #[command(after_help = "\
Examples:
  authtoken completions bash > ~/.local/share/bash-completion/completions/authtoken
  authtoken completions zsh > \"${fpath[1]}/_authtoken\"
  authtoken completions fish > ~/.config/fish/completions/authtoken.fish")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// The provider, the client and the store (each overrides the profile).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Provider, client and store (override the profile)")]
pub struct SessionArgs {
    /// The OpenID issuer (the endpoints come from its discovery document)
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// The authorization endpoint (OAuth 2.0 without discovery)
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,

    /// The token endpoint (OAuth 2.0 without discovery)
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,

    /// The client identifier
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// The client secret (prefer the environment: other users can see a command line)
    #[arg(
        long,
        value_name = "SECRET",
        env = "AUTHTOKEN_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,

    /// Space-separated scopes (OpenID always adds openid)
    #[arg(long, value_name = "\"A B\"")]
    pub scope: Option<String>,

    /// How the client authenticates [default: post with a secret, none without]
    #[arg(long, value_name = "METHOD", value_parser = choices(ClientAuth::CHOICES))]
    pub client_auth: Option<String>,

    /// The loopback URL the browser comes back to [default: http://127.0.0.1:<free port>/]
    #[arg(long, value_name = "URL")]
    pub redirect_url: Option<String>,

    /// How a sign-in obtains the token [default: authorization_code]
    #[arg(long, value_name = "FLOW", value_parser = choices(Flow::CHOICES))]
    pub flow: Option<String>,

    /// Sender-constrained tokens (DPoP, RFC 9449)
    #[arg(long)]
    pub dpop: bool,

    /// Seconds one HTTP exchange may take [default: 30]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<String>,

    /// Where the token is kept [default: $XDG_STATE_HOME/authtoken/<profile>.token]
    #[arg(long, value_name = "PATH-OR-STORE-URL")]
    pub store: Option<String>,
}

/// How a command that may sign in does it.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct SignInArgs {
    /// Sign in with the device flow (a code typed on another device), browser or not
    #[arg(long, conflicts_with = "flow")]
    pub device: bool,
}

/// How long the token handed out must last.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Freshness {
    /// Seconds the token must stay valid, else it is refreshed [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(0..))]
    pub min_valid: Option<i64>,
}

/// A parser that accepts the words of a core choice list (`"a, b, c"`), so that help and
/// completions list what the core accepts.
fn choices(list: &'static str) -> PossibleValuesParser {
    PossibleValuesParser::new(list.split(", "))
}

impl Command {
    /// The session options of the command, if it has some.
    pub fn session_args(&self) -> Option<&SessionArgs> {
        match self {
            Command::Login { session, .. }
            | Command::Token { session, .. }
            | Command::Header { session, .. }
            | Command::Whoami { session, .. }
            | Command::Status { session }
            | Command::Refresh { session }
            | Command::Introspect { session }
            | Command::Logout { session } => Some(session),
            Command::Completions { .. } => None,
        }
    }
}

/// The clap command, for completions and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn config_and_profile_stand_before_or_after_the_command() {
        for args in [
            &["authtoken", "--profile", "p", "--config", "c.toml", "token"][..],
            &["authtoken", "token", "--profile", "p", "--config", "c.toml"][..],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.profile.as_deref(), Some("p"));
            assert_eq!(cli.config.as_deref(), Some("c.toml".as_ref()));
        }
    }

    #[test]
    fn choices_come_from_the_core() {
        let e = Cli::try_parse_from(["authtoken", "token", "--client-auth", "magic"]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("private_key_jwt"), "{text}");
        assert!(Cli::try_parse_from(["authtoken", "token", "--flow", "device"]).is_ok());
        assert!(
            Cli::try_parse_from(["authtoken", "token", "--flow", "device", "--device"]).is_err(),
            "--device is the device flow: with --flow it is a contradiction"
        );
    }

    #[test]
    fn min_valid_is_not_negative() {
        assert!(Cli::try_parse_from(["authtoken", "token", "--min-valid", "-1"]).is_err());
        let cli = Cli::try_parse_from(["authtoken", "header", "--min-valid", "0"]).unwrap();
        let Command::Header { freshness, .. } = cli.command else {
            panic!("header")
        };
        assert_eq!(freshness.min_valid, Some(0));
    }
}
