//! What each command does, over the core's session: stdout gets only what was asked for (the
//! token, the header, JSON), everything else goes to stderr.

use crate::args::{Cli, Command, Freshness, SessionArgs, SignInArgs};
use crate::failure::Failure;
use crate::profile::{self, Resolved};
use crate::store;
use authtoken_core::clock::unix_now;
use authtoken_core::{ErrorKind, Session, Token};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// Runs the command of `cli`.
pub fn run(cli: &Cli) -> Result<(), Failure> {
    let resolve = |session: &SessionArgs, sign_in: SignInArgs, freshness: Option<Freshness>| {
        profile::resolve(cli, session, sign_in, freshness.and_then(|f| f.min_valid))
    };
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut crate::args::command(), "authtoken", &mut out);
            print(&String::from_utf8_lossy(&out))
        }
        Command::Login { session, sign_in } => login(&resolve(session, *sign_in, None)?),
        Command::Token {
            session,
            sign_in,
            freshness,
        } => {
            let r = resolve(session, *sign_in, Some(*freshness))?;
            let token = session_of(&r)?.token(r.min_valid)?;
            print_line(token.access_token().expose())
        }
        Command::Header {
            session,
            sign_in,
            freshness,
        } => {
            let r = resolve(session, *sign_in, Some(*freshness))?;
            let token = session_of(&r)?.token(r.min_valid)?;
            print_line(&token.authorization_header())
        }
        Command::Whoami { session, sign_in } => {
            let r = resolve(session, *sign_in, None)?;
            let token = session_of(&r)?.token(r.min_valid)?;
            print_line(&authtoken_core::read_identity(&token)?.source())
        }
        Command::Status { session } => {
            let r = resolve(session, SignInArgs::default(), None)?;
            let token = session_of(&r)?.current();
            let status = serde_json::to_string(&status(token.as_ref()))
                .map_err(|e| Failure::new(ErrorKind::Internal, e.to_string()))?;
            print_line(&status)
        }
        Command::Refresh { session } => {
            let r = resolve(session, SignInArgs::default(), None)?;
            let token = session_of(&r)?.refresh()?;
            say(&format!("Refreshed; {}.", lifetime(&token, &r.store)));
            Ok(())
        }
        Command::Introspect { session } => {
            let r = resolve(session, SignInArgs::default(), None)?;
            let token = stored(&session_of(&r)?, &r)?;
            print_line(authtoken_core::introspect(&token)?.trim_end())
        }
        Command::Logout { session } => {
            let r = resolve(session, SignInArgs::default(), None)?;
            let session = session_of(&r)?;
            let had = session.current().is_some();
            session.logout()?;
            if had {
                say(&format!(
                    "Signed out: the tokens are revoked where the provider can, and {} is deleted.",
                    r.store
                ));
            } else {
                say(&format!("Nothing to sign out of: no token in {}.", r.store));
            }
            Ok(())
        }
    }
}

fn session_of(r: &Resolved) -> Result<Session, Failure> {
    store::open(r.params.clone(), &r.store)
}

/// `login`: a new sign-in whatever is stored; only stderr speaks.
fn login(r: &Resolved) -> Result<(), Failure> {
    let token = session_of(r)?.login()?;
    let who = token
        .id_token_claims()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned));
    let who = who.map_or_else(String::new, |sub| format!(" as {sub}"));
    say(&format!("Signed in{who}; {}.", lifetime(&token, &r.store)));
    Ok(())
}

/// "the token is valid for 3600 s, stored in PATH".
fn lifetime(token: &Token, store: &str) -> String {
    let valid = match token.expires_at() {
        0 => "the token does not say when it expires".to_owned(),
        at => format!("the token is valid for {} s", (at - unix_now()).max(0)),
    };
    format!("{valid}, stored in {store}")
}

/// The stored token, whatever its state.
fn stored(session: &Session, r: &Resolved) -> Result<Token, Failure> {
    session.current().ok_or_else(|| {
        Failure::new(
            ErrorKind::InvalidArgument,
            format!(
                "no token is stored in {} (profile {}): sign in first with `authtoken login`",
                r.store, r.profile
            ),
        )
    })
}

/// The status object of the contract, its keys in the contract's order.
#[derive(Debug, Serialize)]
pub struct Status<'a> {
    valid: bool,
    expires_at: Option<i64>,
    scope: Option<&'a str>,
    has_refresh_token: bool,
    token_type: Option<&'a str>,
}

/// The status, from the stored token alone (no network).
pub fn status(token: Option<&Token>) -> Status<'_> {
    match token {
        None => Status {
            valid: false,
            expires_at: None,
            scope: None,
            has_refresh_token: false,
            token_type: None,
        },
        Some(t) => Status {
            valid: t.is_valid(),
            expires_at: Some(t.expires_at()),
            scope: Some(t.scope()),
            has_refresh_token: t.refresh_token().is_some(),
            token_type: Some(t.token_type()),
        },
    }
}

/// A message for the user, on stderr.
fn say(message: &str) {
    eprintln!("{message}");
}

fn print_line(text: &str) -> Result<(), Failure> {
    print(&format!("{text}\n"))
}

/// Writes to stdout; a closed pipe or a full disk is an I/O failure, not a panic.
fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            Failure::new(
                ErrorKind::Io,
                format!("cannot write to standard output: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(status: Status) -> String {
        serde_json::to_string(&status).unwrap()
    }

    #[test]
    fn status_without_a_token_has_every_key_in_the_contract_s_order() {
        assert_eq!(
            json(status(None)),
            r#"{"valid":false,"expires_at":null,"scope":null,"has_refresh_token":false,"token_type":null}"#
        );
    }

    #[test]
    fn status_of_a_token() {
        let t = Token::import(
            None,
            r#"{"access_token":"a","token_type":"Bearer","refresh_token":"r","expires_in":100,"scope":"x y"}"#,
        )
        .unwrap();
        let text = json(status(Some(&t)));
        let s: Value = serde_json::from_str(&text).unwrap();
        assert!(text.starts_with(r#"{"valid":true,"expires_at":"#), "{text}");
        assert_eq!(s["has_refresh_token"], true);
        assert_eq!(s["scope"], "x y");
        assert_eq!(s["token_type"], "Bearer");
        assert!(s["expires_at"].as_i64().unwrap() > unix_now());
        assert!(!text.contains("\"a\""), "no token value in the status");
    }
}
