//! Profiles (TOML, `[profile.NAME]` tables with keys named like the long options) and what a
//! command runs with: each setting from the command line, else the environment (clap reads
//! `AUTHTOKEN_CLIENT_SECRET`), else the profile; the parameters of the core built from them,
//! and the store.

use crate::args::{Cli, DEFAULT_MIN_VALID, SessionArgs, SignInArgs};
use crate::failure::Failure;
use authtoken_core::{ErrorKind, Kind, ParamOption, Params};
use etcetera::BaseStrategy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The profile used without `--profile`.
pub const DEFAULT_PROFILE: &str = "default";

/// One `[profile.NAME]` table. An unknown key is an error (a typo must not go unnoticed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub issuer: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_auth: Option<String>,
    pub scope: Option<String>,
    pub redirect_url: Option<String>,
    pub flow: Option<String>,
    pub dpop: Option<bool>,
    pub timeout: Option<u64>,
    pub store: Option<String>,
    pub min_valid: Option<i64>,
}

/// The profile file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// The XDG base directories (on Windows, its known folders).
fn base_dirs() -> Result<impl BaseStrategy, Failure> {
    etcetera::choose_base_strategy().map_err(|e| {
        Failure::new(
            ErrorKind::Io,
            format!("cannot find the home folder ({e}): give --config and --store"),
        )
    })
}

/// `$XDG_CONFIG_HOME/authtoken/config.toml`.
pub fn default_config_path() -> Result<PathBuf, Failure> {
    Ok(base_dirs()?.config_dir().join("authtoken/config.toml"))
}

/// `$XDG_STATE_HOME/authtoken/<profile>.token` (where there is no state folder, the data
/// folder).
pub fn default_store_path(profile: &str) -> Result<PathBuf, Failure> {
    let dirs = base_dirs()?;
    let state = dirs.state_dir().unwrap_or_else(|| dirs.data_dir());
    Ok(state.join("authtoken").join(format!("{profile}.token")))
}

/// The profile `name` of the file at `path`. A file named with `--config` must exist; the
/// default one may be missing (no profiles). `explicit`: the name was given with `--profile`,
/// so it must exist; else a missing profile is an empty one.
pub fn load(
    path: &Path,
    config_explicit: bool,
    name: &str,
    explicit: bool,
) -> Result<Profile, Failure> {
    let file = match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map_err(|e| {
            Failure::usage(format!(
                "the profile file {} is not valid: {e}",
                path.display()
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !config_explicit => {
            ProfileFile::default()
        }
        Err(e) => {
            return Err(Failure::new(
                ErrorKind::Io,
                format!("cannot read the profile file {}: {e}", path.display()),
            ));
        }
    };
    match file.profile.get(name) {
        Some(p) => Ok(p.clone()),
        None if !explicit => Ok(Profile::default()),
        None => {
            let known: Vec<&str> = file.profile.keys().map(String::as_str).collect();
            Err(Failure::usage(format!(
                "no profile '{name}' in {} ({})",
                path.display(),
                if known.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!("it has {}", known.join(", "))
                }
            )))
        }
    }
}

/// The file's profiles. The error says where, never quoting the line (it may hold a secret).
fn parse(text: &str) -> Result<ProfileFile, String> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(" at line {line}, column {column}")
            })
            .unwrap_or_default();
        format!("{}{at}", e.message().trim_end())
    })
}

/// A profile name becomes a file name: letters, digits, `.`, `_`, `-`, not starting with `.`.
fn check_profile_name(name: &str) -> Result<(), Failure> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "the profile name '{name}' cannot name a token file: use letters, digits, '.', '_' and '-'"
        )))
    }
}

/// What a command runs with.
#[derive(Debug)]
pub struct Resolved {
    pub profile: String,
    pub params: Params,
    /// A path, or a store URL once the core takes them (see `session::open`).
    pub store: String,
    pub min_valid: i64,
}

/// The settings of a command: the command line over the environment over the profile.
pub fn resolve(
    cli: &Cli,
    args: &SessionArgs,
    sign_in: SignInArgs,
    min_valid: Option<i64>,
) -> Result<Resolved, Failure> {
    let name = cli.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    check_profile_name(name)?;
    let config = match &cli.config {
        Some(path) => path.clone(),
        None => default_config_path()?,
    };
    let profile = load(&config, cli.config.is_some(), name, cli.profile.is_some())?;
    let store = match args.store.clone().or(profile.store.clone()) {
        Some(s) if s.is_empty() => return Err(Failure::usage("--store is empty")),
        Some(s) => s,
        None => default_store_path(name)?.to_string_lossy().into_owned(),
    };
    Ok(Resolved {
        profile: name.to_owned(),
        params: params(args, &profile, sign_in)?,
        store,
        min_valid: min_valid
            .or(profile.min_valid)
            .unwrap_or(DEFAULT_MIN_VALID)
            .max(0),
    })
}

/// The core's parameters: OpenID with discovery when there is an issuer, else OAuth 2.0 with
/// the endpoints given. Every value is checked by the core, whose messages name the flags.
fn params(args: &SessionArgs, profile: &Profile, sign_in: SignInArgs) -> Result<Params, Failure> {
    let pick = |cli: &Option<String>, file: &Option<String>| cli.clone().or_else(|| file.clone());
    let issuer = pick(&args.issuer, &profile.issuer);
    let kind = if issuer.is_some() {
        Kind::OpenId
    } else {
        Kind::OAuth2
    };
    let mut params = Params::new(kind);
    let flow = if sign_in.device {
        Some("device".to_owned())
    } else {
        pick(&args.flow, &profile.flow)
    };
    let settings = [
        (ParamOption::ConfigurationUrl, issuer),
        (
            ParamOption::AuthUrl,
            pick(&args.auth_url, &profile.auth_url),
        ),
        (
            ParamOption::TokenUrl,
            pick(&args.token_url, &profile.token_url),
        ),
        (
            ParamOption::ClientId,
            pick(&args.client_id, &profile.client_id),
        ),
        (
            ParamOption::ClientSecret,
            pick(&args.client_secret, &profile.client_secret),
        ),
        (
            ParamOption::ClientAuth,
            pick(&args.client_auth, &profile.client_auth),
        ),
        (ParamOption::Scope, pick(&args.scope, &profile.scope)),
        (
            ParamOption::RedirectUrl,
            pick(&args.redirect_url, &profile.redirect_url),
        ),
        (ParamOption::Flow, flow),
        (
            ParamOption::HttpTimeout,
            args.timeout
                .clone()
                .or_else(|| profile.timeout.map(|t| t.to_string())),
        ),
    ];
    for (option, value) in settings {
        if let Some(value) = value {
            params.set(option, &value)?;
        }
    }
    if args.dpop || profile.dpop == Some(true) {
        // The DPoP option arrives with the sender-constrained tokens of version 0.2; found by
        // its key, so that this works as soon as the core has it.
        let option = ParamOption::ALL
            .iter()
            .copied()
            .find(|o| o.key() == "dpop")
            .ok_or_else(|| {
                Failure::new(
                    ErrorKind::Unsupported,
                    "--dpop: this build of authtoken has no DPoP support",
                )
            })?;
        params.set(option, "on")?;
    }
    // No browser here: the device flow, or the URL on stderr while the listener waits.
    params.set_browser_fallback(true);
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).unwrap()
    }

    #[test]
    fn profiles_parse_and_unknown_keys_are_refused() {
        let f = parse(
            "[profile.api]\nissuer = \"https://idp.example\"\nclient_id = \"x\"\ntimeout = 5\ndpop = true\n",
        )
        .unwrap();
        let p = &f.profile["api"];
        assert_eq!(p.issuer.as_deref(), Some("https://idp.example"));
        assert_eq!(p.timeout, Some(5));
        assert_eq!(p.dpop, Some(true));
        let e = parse("[profile.api]\nclient_idd = \"x\"\n").unwrap_err();
        assert!(e.contains("client_idd") && e.contains("line 2"), "{e}");
        let e = parse("[profiles.api]\n").unwrap_err();
        assert!(e.contains("profiles"), "{e}");
    }

    #[test]
    fn a_syntax_error_never_quotes_the_line() {
        let e = parse("[profile.a]\nclient_secret = \"s3cr3t-value\nscope = \"x\"\n").unwrap_err();
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn profile_names_that_cannot_be_file_names_are_refused() {
        for bad in ["", "../x", ".hidden", "a/b", "a b"] {
            assert!(check_profile_name(bad).is_err(), "{bad:?}");
        }
        for good in ["default", "api-prod", "ci_2", "v1.2"] {
            assert!(check_profile_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn command_line_over_profile() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            "[profile.p]\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"from-file\"\nscope = \"a\"\nmin_valid = 5\nstore = \"/tmp/x.token\"\n",
        )
        .unwrap();
        let c = config.to_str().unwrap();
        let parsed = cli(&[
            "authtoken",
            "--config",
            c,
            "--profile",
            "p",
            "token",
            "--client-id",
            "from-cli",
        ]);
        let crate::args::Command::Token { session, .. } = &parsed.command else {
            panic!()
        };
        let r = resolve(&parsed, session, SignInArgs::default(), None).unwrap();
        assert_eq!(r.params.client_id(), "from-cli");
        assert_eq!(r.params.kind(), Kind::OpenId);
        assert_eq!(r.min_valid, 5);
        assert_eq!(r.store, "/tmp/x.token");
        assert!(r.params.browser_fallback());
        let r = resolve(&parsed, session, SignInArgs::default(), Some(0)).unwrap();
        assert_eq!(r.min_valid, 0);
    }

    #[test]
    fn unknown_profiles_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[profile.a]\n[profile.b]\n").unwrap();
        let e = load(&config, true, "c", true).unwrap_err();
        assert_eq!(e.status(), 1);
        assert!(e.message().contains("it has a, b"), "{}", e.message());
        // Without --profile, a missing "default" is an empty profile.
        assert!(load(&config, true, "default", false).is_ok());
        let missing = dir.path().join("none.toml");
        assert_eq!(load(&missing, true, "a", false).unwrap_err().status(), 16);
        assert!(load(&missing, false, "a", false).is_ok());
    }
}
