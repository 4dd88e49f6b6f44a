//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1): a resource server's refusal says which
//! scheme it wants and why (RFC 6750 §3 `error`, RFC 9470 `acr_values` and `max_age` for a
//! step-up). The grammar is parse-net's (a maintained, fuzzed RFC 9110 field parser): several
//! challenges in one value, quoted strings with escapes, token68, commas inside quotes; here
//! only the values are unescaped and the names normalised.

use crate::error::{Error, Result};
use parse_net::{AuthPayload, Limits, auth};
use serde_json::{Map, Value};

/// Longest header value read: far above any real challenge, bounds the work on hostile input.
pub const MAX_LEN: usize = 64 * 1024;

/// One challenge: its scheme as sent, and either a token68 or parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, with its case (`Bearer`, `DPoP`, `Basic`).
    pub scheme: String,
    /// `Basic abc==`: the token68, when the challenge has one instead of parameters.
    pub token68: Option<String>,
    /// The parameters in order, names lower-cased (RFC 9110 §11.2: case-insensitive), values
    /// unescaped. A name appears at most once (the grammar refuses repeats).
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (lower-case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The challenge as the JSON object of `auth_parse_challenge`:
    /// `{"scheme":"Bearer","params":{"error":"…"}}` or `{"scheme":"Basic","token68":"abc=="}`.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("scheme".to_owned(), Value::String(self.scheme.clone()));
        match &self.token68 {
            Some(t) => {
                o.insert("token68".to_owned(), Value::String(t.clone()));
            }
            None => {
                let params = self
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                o.insert("params".to_owned(), Value::Object(params));
            }
        }
        Value::Object(o)
    }
}

/// The challenges of a `WWW-Authenticate` (or `Proxy-Authenticate`) value. A value that is not
/// a list of at least one challenge is InvalidArgument, with where it goes wrong.
pub fn parse(header: &str) -> Result<Vec<Challenge>> {
    let refuse = |why: &str| {
        Error::invalid_argument(format!("not a WWW-Authenticate challenge list: {why}"))
    };
    if header.len() > MAX_LEN {
        return Err(refuse(&format!(
            "{} bytes is longer than the {MAX_LEN} accepted",
            header.len()
        )));
    }
    let limits = Limits::DEFAULT
        .max_string_len(u16::MAX)
        .max_token_len(u16::MAX);
    let challenges =
        auth::parse_challenges(header.as_bytes(), &limits).map_err(|e| refuse(&e.to_string()))?;
    if challenges.is_empty() {
        return Err(refuse("it holds no challenge"));
    }
    let text = |bytes: &[u8]| {
        String::from_utf8(bytes.to_vec()).map_err(|_| refuse("a value is not UTF-8"))
    };
    let mut out = Vec::with_capacity(challenges.len());
    for c in challenges.iter() {
        let scheme = text(c.scheme())?;
        let (token68, params) = match c.payload() {
            AuthPayload::None => (None, Vec::new()),
            AuthPayload::Token68(t) => (Some(text(t)?), Vec::new()),
            AuthPayload::Params(p) => {
                let mut params = Vec::new();
                for (name, value) in p.iter() {
                    let mut buf = vec![0u8; value.len()];
                    let unescaped = value
                        .unescape_into(&mut buf)
                        .map_err(|e| refuse(&e.to_string()))?;
                    params.push((text(name)?.to_ascii_lowercase(), text(unescaped)?));
                }
                (None, params)
            }
        };
        out.push(Challenge {
            scheme,
            token68,
            params,
        });
    }
    Ok(out)
}

/// The JSON array of `auth_parse_challenge`: one object per challenge (see
/// [`Challenge::to_json`]).
pub fn to_json(challenges: &[Challenge]) -> String {
    Value::Array(challenges.iter().map(Challenge::to_json).collect()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn json_of(header: &str) -> Value {
        serde_json::from_str(&to_json(&parse(header).unwrap())).unwrap()
    }

    #[test]
    fn the_rfc_9470_step_up_challenge() {
        assert_eq!(
            json_of(
                r#"Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR""#
            ),
            json!([{"scheme": "Bearer", "params": {
                "error": "insufficient_user_authentication",
                "error_description": "A different authentication level is required",
                "acr_values": "myACR",
            }}])
        );
        let c = &parse(r#"Bearer error="insufficient_user_authentication", max_age=5"#).unwrap()[0];
        assert_eq!(c.param("max_age"), Some("5"));
    }

    #[test]
    fn several_challenges_in_one_value() {
        // RFC 9110 §11.6.1's own example: two challenges, the second with three parameters.
        assert_eq!(
            json_of(
                r#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"""#
            ),
            json!([
                {"scheme": "Basic", "params": {"realm": "simple"}},
                {"scheme": "Newauth", "params": {"realm": "apps", "type": "1", "title": "Login to \"apps\""}},
            ])
        );
        // `error=` alone is a token68 (RFC 9110 §11.2: a token68 may end with "="), not a
        // parameter without its value.
        assert_eq!(
            json_of("Custom error="),
            json!([{"scheme": "Custom", "token68": "error="}])
        );
        assert_eq!(
            json_of("Negotiate, Basic abc==, DPoP algs=\"ES256 PS256\",, Bearer"),
            json!([
                {"scheme": "Negotiate", "params": {}},
                {"scheme": "Basic", "token68": "abc=="},
                {"scheme": "DPoP", "params": {"algs": "ES256 PS256"}},
                {"scheme": "Bearer", "params": {}},
            ])
        );
    }

    #[test]
    fn quoted_strings_commas_escapes_and_case() {
        let c = &parse(r#"Bearer Realm="a, b", ERROR = "x\"y\\z", Error_Description="é, \, ok""#)
            .unwrap()[0];
        assert_eq!(
            c.params,
            [
                ("realm".to_owned(), "a, b".to_owned()),
                ("error".to_owned(), r#"x"y\z"#.to_owned()),
                ("error_description".to_owned(), "é, , ok".to_owned()),
            ]
        );
        assert_eq!(c.scheme, "Bearer", "the scheme keeps its case");
        // Long values are read whole.
        let long = "a".repeat(20_000);
        let c = &parse(&format!("Basic {long}==, Bearer realm=\"{long}\"")).unwrap();
        assert_eq!(c[0].token68.as_deref(), Some(format!("{long}==").as_str()));
        assert_eq!(c[1].param("realm"), Some(long.as_str()));
    }

    #[test]
    fn what_is_not_a_challenge_list_is_refused() {
        for bad in [
            "",
            "   ",
            "realm=\"x\"",
            "Bearer realm=\"unterminated",
            "Bearer realm=\"a\", realm=\"b\"",
            "Bearer realm=\"a\", REALM=\"b\"",
            "Bearer a b",
            "Bear\u{e9}r realm=x",
            "Bearer realm=x, =y",
            "Bearer realm=\"x\" junk",
            ",,,",
            "Basic abc==def",
            "Bearer\trealm=x",
            "Bearer realm=\"a\u{1}b\"",
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
            assert!(e.message().contains("WWW-Authenticate"), "{e:?}");
        }
        let e = parse(&"a".repeat(MAX_LEN + 1)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
