//! The shared test harness itself: the real oidc-provider starts, a user signs in over HTTP,
//! the first token holds a refresh token, and the provider counts refreshes.

mod support;

use support::{CONF_BASIC, CONF_POST, PUBLIC_APP, Provider, first_token_json};

#[test]
fn provider_starts_logs_in_and_counts_refreshes() {
    let provider = Provider::start(r#"{"rotateRefreshToken":true,"accessTokenTTL":60}"#);
    assert!(provider.issuer.starts_with("http://127.0.0.1:"));
    for client in [PUBLIC_APP, CONF_POST, CONF_BASIC] {
        let body = first_token_json(&provider, &client, "openid profile email offline_access");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v["access_token"].is_string(), "{body}");
        assert!(v["refresh_token"].is_string(), "{body}");
        assert!(v["id_token"].is_string(), "{body}");
        assert_eq!(v["expires_in"], 60, "{body}");
    }
    let stats = provider.stats();
    assert_eq!(stats["token"]["authorization_code"]["ok"], 3, "{stats}");
    assert_eq!(provider.refresh_count(), 0);
    provider.reset_stats();
    assert_eq!(provider.stats()["token"], serde_json::json!({}));
}

#[test]
fn refresh_tokens_come_without_offline_access_too() {
    let provider = Provider::start("{}");
    let body = first_token_json(&provider, &PUBLIC_APP, "openid");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["refresh_token"].is_string(), "{body}");
}
