//! How the answers of the back-channel endpoints (token, revocation, introspection) that are
//! not what was asked for turn into errors: an OAuth error object with any status is that
//! OAuth error; anything else that is not a success is a protocol error carrying the status.

use crate::error::{Error, ErrorKind, Result};
use crate::transport::http::Response;
use serde_json::{Map, Value};

/// The fields of a JSON object body, or of a form-encoded one.
pub fn parse_fields(body: &str) -> Result<Map<String, Value>> {
    let trimmed = body.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(Error::protocol("the answer is empty"));
    }
    if trimmed.starts_with('{') {
        return match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Error::protocol("the answer is JSON but not an object")),
            Err(e) => Err(Error::protocol(format!(
                "the answer is not valid JSON: {e}"
            ))),
        };
    }
    // application/x-www-form-urlencoded (GitHub's default, some older providers)
    let looks_like_form = !trimmed.contains(['<', ' ', '\n', '{']) && trimmed.contains('=');
    if !looks_like_form {
        let preview: String = trimmed.chars().take(80).collect();
        return Err(Error::protocol(format!(
            "the answer is neither JSON nor form-encoded: {preview:?}"
        )));
    }
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(trimmed.as_bytes()) {
        map.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    Ok(map)
}

/// The OAuth error an answer carries in its `error` field, whatever its status.
pub fn oauth_error_of(fields: &Map<String, Value>, http_status: u16) -> Option<Error> {
    let code = match fields.get("error")? {
        Value::String(s) if !s.is_empty() => s.as_str(),
        Value::Null => return None,
        other => {
            return Some(
                Error::protocol(format!("the answer's error field is not a string: {other}"))
                    .with_http_status(http_status),
            );
        }
    };
    let description = fields.get("error_description").and_then(Value::as_str);
    Some(Error::oauth(code, description, http_status))
}

/// The error an answer carries, if it carries one: an OAuth error object (whatever the
/// status, some servers send them with 200), or for a status that is not a success, the best
/// description of it. `None` for a success without an `error` field.
pub fn error_of(response: &Response, endpoint: &str) -> Option<Error> {
    let status = response.status;
    let fields = std::str::from_utf8(&response.body)
        .ok()
        .and_then(|text| parse_fields(text).ok());
    if let Some(fields) = &fields
        && let Some(e) = oauth_error_of(fields, status)
    {
        return Some(e);
    }
    if response.is_success() {
        return None;
    }
    if status == 401
        && response
            .www_authenticate
            .as_deref()
            .is_some_and(|h| h.contains("invalid_client"))
    {
        return Some(
            Error::new(
                ErrorKind::InvalidClient,
                format!("the {endpoint} refused the client's authentication (HTTP 401)"),
            )
            .with_oauth_error("invalid_client")
            .with_http_status(status),
        );
    }
    let content_type = response
        .content_type
        .as_deref()
        .unwrap_or("no content type");
    let what = if fields.is_some() {
        "an answer without an OAuth error".to_owned()
    } else {
        format!("a non-OAuth answer ({content_type})")
    };
    let mut message = format!("the {endpoint} answered HTTP {status} with {what}");
    if let Some(after) = &response.retry_after {
        message.push_str(&format!("; it asks to retry after {after}"));
    }
    Some(Error::protocol(message).with_http_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str, ct: &str) -> Response {
        Response {
            status,
            content_type: Some(ct.into()),
            www_authenticate: None,
            retry_after: None,
            max_age: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn oauth_errors_whatever_the_status() {
        let e = error_of(
            &answer(400, r#"{"error":"invalid_grant"}"#, "application/json"),
            "x",
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidGrant);
        assert_eq!(e.http_status(), 400);
        let e = error_of(
            &answer(
                200,
                r#"{"error":"slow_down","error_description":"d"}"#,
                "application/json",
            ),
            "x",
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::OAuth);
        assert_eq!(e.oauth_error(), "slow_down");
        assert!(e.message().contains('d'));
    }

    #[test]
    fn html_and_bare_statuses_are_protocol_errors_except_401_invalid_client() {
        let e = error_of(&answer(500, "<html>oops</html>", "text/html"), "x").unwrap();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert_eq!(e.http_status(), 500);
        let mut r = answer(401, "", "text/plain");
        r.www_authenticate = Some(r#"Basic realm="x", error="invalid_client""#.into());
        assert_eq!(error_of(&r, "x").unwrap().kind(), ErrorKind::InvalidClient);
        assert!(error_of(&answer(200, "{}", "application/json"), "x").is_none());
    }
}
