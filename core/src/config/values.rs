//! The checks and readers of option values, one per shape of value. Each gets the parameters
//! as they are (for rules that depend on the kind), the option (to name it in messages) and
//! the text; it returns the field's value or an error that names the option.

use super::choices::{
    ClientAuth, DpopMode, Flow, JwtAlgorithm, Kind, Par, Pkce, Profile, RequestObject,
    ResponseType, SuccessPage,
};
use super::options::{ParamOption, Params};
use super::url_rules;
use crate::error::{Error, Result};
use crate::jose::KeyPair;
use crate::secret::{Secret, SecretKey};
use std::time::Duration;
use url::Url;

type Opt = ParamOption;

pub(super) fn text(_: &Params, _: Opt, value: &str) -> Result<String> {
    Ok(value.to_owned())
}

pub(super) fn text_unless_empty(_: &Params, _: Opt, value: &str) -> Result<Option<String>> {
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

pub(super) fn secret(_: &Params, _: Opt, value: &str) -> Result<Option<Secret>> {
    Ok(Some(Secret::new(value)))
}

pub(super) fn secret_unless_empty(_: &Params, _: Opt, value: &str) -> Result<Option<Secret>> {
    Ok((!value.is_empty()).then(|| Secret::new(value)))
}

pub(super) fn endpoint(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    endpoint_text(option, value).map(Some)
}

fn endpoint_text(option: Opt, value: &str) -> Result<String> {
    url_rules::endpoint_url(option, value).map(|u| u.to_string())
}

pub(super) fn scope(_: &Params, option: Opt, value: &str) -> Result<String> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{option}: a scope cannot hold control characters"
        )));
    }
    Ok(value.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
}

pub(super) fn redirect_url(p: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    interactive_only(p, option)?;
    Ok(Some(url_rules::redirect_url(option, value)?.to_string()))
}

pub(super) fn response_type(p: &Params, option: Opt, value: &str) -> Result<ResponseType> {
    interactive_only(p, option)?;
    choice(
        option,
        value,
        ResponseType::parse(value),
        ResponseType::CHOICES,
    )
}

pub(super) fn client_auth(_: &Params, option: Opt, value: &str) -> Result<Option<ClientAuth>> {
    let parsed = ClientAuth::parse(&value.to_ascii_lowercase());
    choice(option, value, parsed, ClientAuth::CHOICES).map(Some)
}

pub(super) fn flow(p: &Params, option: Opt, value: &str) -> Result<Flow> {
    let flow = choice(option, value, Flow::parse(value), Flow::CHOICES)?;
    if p.kind == Kind::Jwt && flow != Flow::AuthorizationCode {
        return Err(Error::invalid_argument(format!(
            "{option}: JWT parameters always use the JWT bearer grant"
        )));
    }
    Ok(flow)
}

pub(super) fn pkce(p: &Params, option: Opt, value: &str) -> Result<Pkce> {
    interactive_only(p, option)?;
    choice(option, value, Pkce::parse(value), Pkce::CHOICES)
}

pub(super) fn jwt_algorithm(_: &Params, option: Opt, value: &str) -> Result<JwtAlgorithm> {
    choice(
        option,
        value,
        JwtAlgorithm::parse(value),
        JwtAlgorithm::CHOICES,
    )
}

pub(super) fn success_page(p: &Params, option: Opt, value: &str) -> Result<Option<SuccessPage>> {
    interactive_only(p, option)?;
    Ok(Some(if value.starts_with("https://") {
        let url = Url::parse(value)
            .map_err(|e| Error::invalid_argument(format!("{option}: not a URL ({e}): {value}")))?;
        SuccessPage::RedirectTo(url.to_string())
    } else if value.starts_with("http://") {
        SuccessPage::RedirectTo(endpoint_text(option, value)?)
    } else {
        SuccessPage::Html(value.to_owned())
    }))
}

/// Words separated by spaces (`acr_values`): normalised to single spaces; no control
/// characters; empty is the default.
pub(super) fn space_separated(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{option}: control characters are not allowed"
        )));
    }
    let words: Vec<&str> = value.split_ascii_whitespace().collect();
    Ok((!words.is_empty()).then(|| words.join(" ")))
}

/// `max_age` (OpenID Connect Core §3.1.2.1): a whole number of seconds, 0 or more.
pub(super) fn max_age(_: &Params, option: Opt, value: &str) -> Result<Option<u64>> {
    let n: u64 = value.trim().parse().map_err(|_| {
        Error::invalid_argument(format!(
            "{option}: '{value}' is not a whole number of seconds (0 or more)"
        ))
    })?;
    // Beyond a century the check can only overflow, never mean anything.
    const MAX: u64 = 100 * 366 * 24 * 3600;
    if n > MAX {
        return Err(Error::invalid_argument(format!(
            "{option}: {n} seconds is out of range (0 to {MAX})"
        )));
    }
    Ok(Some(n))
}

/// `prompt` (OpenID Connect Core §3.1.2.1, Initiating User Registration §4): values the
/// provider must show something for; `none` is the silent sign-in's own.
pub(super) fn prompt(p: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    interactive_only(p, option)?;
    const ALLOWED: &[&str] = &["login", "consent", "select_account", "create"];
    let words: Vec<&str> = value.split_ascii_whitespace().collect();
    if words.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{option}: empty (reset the option instead)"
        )));
    }
    for w in &words {
        if *w == "none" {
            return Err(Error::invalid_argument(format!(
                "{option}: 'none' is the silent sign-in's (verify_authentication), not an option value"
            )));
        }
        if !ALLOWED.contains(w) {
            return Err(Error::invalid_argument(format!(
                "{option}: '{w}' is not one of {}",
                ALLOWED.join(", ")
            )));
        }
    }
    Ok(Some(words.join(" ")))
}

/// `login_hint`: any text without control characters.
pub(super) fn login_hint(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{option}: control characters are not allowed"
        )));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

pub(super) fn dpop(_: &Params, option: Opt, value: &str) -> Result<Option<DpopMode>> {
    let parsed = DpopMode::parse(&value.to_ascii_lowercase());
    choice(option, value, parsed, DpopMode::CHOICES).map(Some)
}

/// The DPoP key: PEM text or the path of a PEM file, read and checked now (a key that cannot
/// sign DPoP proofs is refused here, not at the first request).
pub(super) fn dpop_key(_: &Params, option: Opt, value: &str) -> Result<Option<KeyPair>> {
    let pem = pem_private_key_text(option, value)?;
    KeyPair::from_pem(pem.expose())
        .map(Some)
        .map_err(|e| Error::invalid_argument(format!("{option}: {}", e.message())))
}

pub(super) fn par(p: &Params, option: Opt, value: &str) -> Result<Par> {
    interactive_only(p, option)?;
    choice(
        option,
        value,
        Par::parse(&value.to_ascii_lowercase()),
        Par::CHOICES,
    )
}

pub(super) fn request_object(p: &Params, option: Opt, value: &str) -> Result<RequestObject> {
    interactive_only(p, option)?;
    let parsed = RequestObject::parse(&value.to_ascii_lowercase());
    choice(option, value, parsed, RequestObject::CHOICES)
}

pub(super) fn profile(_: &Params, option: Opt, value: &str) -> Result<Profile> {
    let parsed = Profile::parse(&value.to_ascii_lowercase());
    choice(option, value, parsed, Profile::CHOICES)
}

/// RFC 8707 §2: each resource is an absolute URI without a fragment (a query is allowed but
/// discouraged); `""` is none.
pub(super) fn resource(_: &Params, option: Opt, value: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for word in value.split_ascii_whitespace() {
        let url = Url::parse(word).map_err(|e| {
            Error::invalid_argument(format!(
                "{option}: '{word}' is not an absolute URI ({e}; RFC 8707 §2)"
            ))
        })?;
        if url.fragment().is_some() || word.contains('#') {
            return Err(Error::invalid_argument(format!(
                "{option}: '{word}' has a fragment, which a resource indicator must not have (RFC 8707 §2)"
            )));
        }
        if !out.iter().any(|r| r == word) {
            out.push(word.to_owned());
        }
    }
    Ok(out)
}

/// RFC 9396 §2: a JSON array of objects, each with a string `type`. Kept as compact JSON text.
pub(super) fn authorization_details(
    _: &Params,
    option: Opt,
    value: &str,
) -> Result<Option<String>> {
    let bad = |why: &str| {
        Error::invalid_argument(format!(
            "{option}: {why} (RFC 9396 §2: a JSON array of objects, each with a string \"type\")"
        ))
    };
    let parsed: serde_json::Value =
        serde_json::from_str(value).map_err(|e| bad(&format!("not JSON ({e})")))?;
    let list = parsed.as_array().ok_or_else(|| bad("not a JSON array"))?;
    if list.is_empty() {
        return Err(bad("an empty array (reset the option instead)"));
    }
    for (i, detail) in list.iter().enumerate() {
        let object = detail
            .as_object()
            .ok_or_else(|| bad(&format!("element {i} is not an object")))?;
        match object.get("type") {
            Some(serde_json::Value::String(t)) if !t.is_empty() => {}
            _ => return Err(bad(&format!("element {i} has no string type"))),
        }
    }
    Ok(Some(parsed.to_string()))
}

/// A token type (RFC 8693 §3): an absolute URI such as
/// `urn:ietf:params:oauth:token-type:access_token`.
pub(super) fn token_type_uri(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    check_token_type_uri(&option.to_string(), value).map(Some)
}

/// [`token_type_uri`] for values that are not options (the subject token type of an exchange);
/// `what` names the value in the message.
pub(crate) fn check_token_type_uri(what: &str, value: &str) -> Result<String> {
    let absolute =
        !value.chars().any(|c| c.is_whitespace() || c.is_control()) && Url::parse(value).is_ok();
    if !absolute {
        return Err(Error::invalid_argument(format!(
            "{what}: '{value}' is not a token type URI (e.g. urn:ietf:params:oauth:token-type:access_token)"
        )));
    }
    Ok(value.to_owned())
}

/// Space-separated words (audiences), each sent on its own; empty is none.
pub(super) fn words(_: &Params, option: Opt, value: &str) -> Result<Vec<String>> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{option}: control characters are not allowed"
        )));
    }
    Ok(value.split_ascii_whitespace().map(str::to_owned).collect())
}

/// CIBA `binding_message`: short text for people, without control characters.
pub(super) fn binding_message(p: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    interactive_only(p, option)?;
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{option}: control characters are not allowed"
        )));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

pub(super) fn seconds_at_least_one(_: &Params, option: Opt, value: &str) -> Result<Duration> {
    seconds_in_range(option, value, 1)
}

pub(super) fn seconds(_: &Params, option: Opt, value: &str) -> Result<Duration> {
    seconds_in_range(option, value, 0)
}

fn seconds_in_range(option: Opt, value: &str, min: u64) -> Result<Duration> {
    const MAX: u64 = 30 * 24 * 3600;
    let n: u64 = value.trim().parse().map_err(|_| {
        Error::invalid_argument(format!(
            "{option}: '{value}' is not a whole number of seconds"
        ))
    })?;
    if n < min || n > MAX {
        return Err(Error::invalid_argument(format!(
            "{option}: {n} seconds is out of range ({min} to {MAX})"
        )));
    }
    Ok(Duration::from_secs(n))
}

pub(super) fn existing_file(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    file_path(option, value).map(Some)
}

fn file_path(option: Opt, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::invalid_argument(format!("{option}: empty path")));
    }
    match std::fs::metadata(value) {
        Ok(m) if m.is_file() => Ok(value.to_owned()),
        Ok(_) => Err(Error::io(format!("{option}: '{value}' is not a file"))),
        Err(e) => Err(Error::io(format!("{option}: cannot read '{value}': {e}"))),
    }
}

/// PEM text as given, or the content of the file it names; it must hold a private key.
pub(super) fn pem_private_key(_: &Params, option: Opt, value: &str) -> Result<Option<Secret>> {
    pem_private_key_text(option, value).map(Some)
}

/// [`pem_private_key`] for options of other shapes (the DPoP key, the store key).
pub(crate) fn pem_private_key_text(option: Opt, value: &str) -> Result<Secret> {
    let text = if value.trim_start().starts_with("-----BEGIN") {
        value.to_owned()
    } else {
        let path = file_path(option, value)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("{option}: cannot read '{path}': {e}")))?;
        if !text.trim_start().starts_with("-----BEGIN") {
            return Err(Error::invalid_argument(format!(
                "{option}: '{path}' is not a PEM file"
            )));
        }
        text
    };
    if !text.contains("PRIVATE KEY-----") {
        return Err(Error::invalid_argument(format!(
            "{option}: the PEM text holds no private key"
        )));
    }
    Ok(Secret::new(text))
}

/// A 256-bit key as base64 text (standard or URL-safe alphabet, padded or not, surrounding
/// whitespace ignored), or the path of a file holding that text. Every failure is
/// InvalidArgument, and no message holds the key.
pub(super) fn store_key(_: &Params, option: Opt, value: &str) -> Result<Option<SecretKey>> {
    if let Some(key) = key_of_base64(value) {
        return Ok(Some(key));
    }
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{option}: empty (give 32 bytes in base64, or the path of a file holding them)"
        )));
    }
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(value).map_err(|e| {
        Error::invalid_argument(format!(
            "{option}: not 32 bytes in base64, nor a readable file ('{value}': {e})"
        ))
    })?);
    key_of_base64(&text).map(Some).ok_or_else(|| {
        Error::invalid_argument(format!(
            "{option}: the file '{value}' does not hold 32 bytes in base64"
        ))
    })
}

fn key_of_base64(text: &str) -> Option<SecretKey> {
    use base64::Engine;
    use base64::alphabet;
    use base64::engine::DecodePaddingMode;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let text = text.trim();
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    for alphabet in [&alphabet::STANDARD, &alphabet::URL_SAFE] {
        let engine = GeneralPurpose::new(alphabet, lenient);
        // decode_slice fails when the text holds more than 32 bytes: nothing longer is accepted.
        if let Ok(32) = engine.decode_slice(text, out.as_mut_slice()) {
            return Some(SecretKey::new(*out));
        }
    }
    None
}

pub(super) fn ca_file(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    let path = file_path(option, value)?;
    let pem = std::fs::read(&path)
        .map_err(|e| Error::io(format!("{option}: cannot read '{path}': {e}")))?;
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(Error::invalid_argument(format!(
            "{option}: '{path}' holds no PEM certificate"
        )));
    }
    Ok(Some(path))
}

pub(super) fn proxy(_: &Params, option: Opt, value: &str) -> Result<Option<String>> {
    let url = Url::parse(value)
        .map_err(|e| Error::invalid_argument(format!("{option}: not a URL ({e}): {value}")))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(Error::invalid_argument(format!(
            "{option}: the proxy scheme must be http, https, socks5 or socks5h: {value}"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// The parameters the library sets itself, which extra parameters may not override: they would
/// undo PKCE, `state` or the redirect.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "dpop_jkt",
    "request",
    "request_uri",
];

/// `a=b&c=d` (percent-encoding allowed) into pairs.
pub(super) fn additional_parameters(
    _: &Params,
    option: Opt,
    value: &str,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in value
        .trim_start_matches(['?', '&'])
        .split('&')
        .filter(|p| !p.is_empty())
    {
        if !part.contains('=') {
            return Err(Error::invalid_argument(format!(
                "{option}: '{part}' is not of the form name=value"
            )));
        }
        let (k, v) = url::form_urlencoded::parse(part.as_bytes())
            .next()
            .ok_or_else(|| Error::invalid_argument(format!("{option}: empty pair")))?;
        if k.is_empty() {
            return Err(Error::invalid_argument(format!(
                "{option}: '{part}' has no name"
            )));
        }
        if RESERVED.contains(&k.as_ref()) {
            return Err(Error::invalid_argument(format!(
                "{option}: '{k}' is set by the library (use {} for scope)",
                ParamOption::Scope
            )));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

fn choice<T>(option: Opt, value: &str, parsed: Option<T>, choices: &str) -> Result<T> {
    parsed.ok_or_else(|| {
        Error::invalid_argument(format!("{option}: '{value}' is not one of {choices}"))
    })
}

/// Options of the interactive sign-in do not fit JWT parameters (no user, no browser).
fn interactive_only(p: &Params, option: Opt) -> Result<()> {
    if p.kind == Kind::Jwt {
        return Err(Error::invalid_argument(format!(
            "{option}: JWT parameters have no interactive login, so this option does not fit them"
        )));
    }
    Ok(())
}
