//! `auth_identity` getters and free, on an identity made from claims (reading one from a
//! provider needs the network).

use super::*;
use crate::boundary::into_handle;
use crate::identity::{
    auth_identity, auth_identity_claim, auth_identity_email, auth_identity_first_name,
    auth_identity_free, auth_identity_id_token, auth_identity_is_valid, auth_identity_last_name,
    auth_identity_name, auth_identity_source, auth_identity_subject,
};
use authtoken_core::Identity;
use authtoken_core::Secret;
use serde_json::{Value, json};

fn make(claims: Value, id_token: Option<&str>) -> *mut auth_identity {
    let Value::Object(claims) = claims else {
        panic!("claims are an object")
    };
    into_handle(auth_identity::new(Identity::new(
        claims,
        id_token.map(Secret::new),
    )))
}

fn claim(i: *const auth_identity, name: &str) -> Option<String> {
    let name = CString::new(name).unwrap();
    let p = unsafe { auth_identity_claim(i, name.as_ptr()) };
    (!p.is_null()).then(|| read(p))
}

#[test]
fn getters_give_the_claims() {
    let i = make(
        json!({"sub":"u-1","email":"a@b.example","given_name":"Ada","family_name":"Lovelace",
               "name":"Ada Lovelace","email_verified":true,"age":36,"groups":["x","y"],"gone":null}),
        Some("h.p.s"),
    );
    unsafe {
        assert!(auth_identity_is_valid(i));
        assert_eq!(read(auth_identity_subject(i)), "u-1");
        assert_eq!(read(auth_identity_email(i)), "a@b.example");
        assert_eq!(read(auth_identity_first_name(i)), "Ada");
        assert_eq!(read(auth_identity_last_name(i)), "Lovelace");
        assert_eq!(read(auth_identity_name(i)), "Ada Lovelace");
        assert_eq!(read(auth_identity_id_token(i)), "h.p.s");
        let source: Value = serde_json::from_str(&read(auth_identity_source(i))).unwrap();
        assert_eq!(source["groups"], json!(["x", "y"]));
        assert_eq!(source["sub"], "u-1");
    }
    assert_eq!(claim(i, "sub").as_deref(), Some("u-1"));
    assert_eq!(claim(i, "email_verified").as_deref(), Some("true"));
    assert_eq!(claim(i, "age").as_deref(), Some("36"));
    assert_eq!(claim(i, "groups").as_deref(), Some(r#"["x","y"]"#));
    assert_eq!(claim(i, "gone"), None, "a null claim is absent");
    assert_eq!(claim(i, "missing"), None);
    unsafe {
        assert!(auth_identity_claim(i, std::ptr::null()).is_null());
        assert!(auth_identity_claim(i, NOT_UTF8.as_ptr().cast()).is_null());
        // The same pointer each time: owned by the identity.
        let name = c"email";
        assert_eq!(
            auth_identity_claim(i, name.as_ptr()),
            auth_identity_claim(i, name.as_ptr())
        );
        auth_identity_free(i);
    }
}

#[test]
fn an_empty_identity_and_null_give_empty_strings() {
    let i = make(json!({}), None);
    unsafe {
        assert!(!auth_identity_is_valid(i));
        assert_eq!(read(auth_identity_source(i)), "{}");
        for get in [
            auth_identity_subject,
            auth_identity_email,
            auth_identity_first_name,
            auth_identity_last_name,
            auth_identity_name,
            auth_identity_id_token,
        ] {
            assert_eq!(read(get(i)), "");
            assert_eq!(read(get(std::ptr::null())), "");
        }
        auth_identity_free(i);
        assert!(!auth_identity_is_valid(std::ptr::null()));
        assert_eq!(read(auth_identity_source(std::ptr::null())), "");
        assert!(auth_identity_claim(std::ptr::null(), c"sub".as_ptr()).is_null());
        auth_identity_free(std::ptr::null_mut());
    }
}
