//! `auth_token_serialize` / `auth_token_deserialize` / `auth_bytes_free`: the buffer handed to
//! the caller and taken back, and corrupt buffers refused without reading outside them.

use super::*;
use crate::memory::auth_bytes_free;
use crate::params::{auth_params_free, auth_params_set};
use crate::token::{
    auth_token_deserialize, auth_token_free, auth_token_serialize, auth_token_value,
};

/// The serialized bytes of `t`, copied out of the library's buffer (which is freed).
fn serialize(t: *const auth_token) -> Vec<u8> {
    let mut buf: *mut u8 = garbage();
    let mut len = usize::MAX;
    assert_eq!(
        unsafe { auth_token_serialize(t, &mut buf, &mut len) },
        auth_result::AUTH_OK
    );
    assert!(!buf.is_null() && len > 14);
    let copy = unsafe { std::slice::from_raw_parts(buf, len) }.to_vec();
    unsafe { auth_bytes_free(buf, len) };
    copy
}

fn deserialize(bytes: &[u8]) -> (auth_result, *mut auth_token) {
    let mut t: *mut auth_token = garbage();
    let r = unsafe { auth_token_deserialize(bytes.as_ptr(), bytes.len(), &mut t) };
    (r, t)
}

fn a_token() -> *mut auth_token {
    let p = new_params(1);
    for (opt, v) in [
        (1, "client"),
        (2, "secret"),
        (4, "https://idp.example/token"),
        (9, "https://idp.example"),
        (
            23,
            "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n",
        ),
        (30, "http://127.0.0.1:3128"),
    ] {
        let v = CString::new(v).unwrap();
        assert_eq!(
            unsafe { auth_params_set(p, option(opt), v.as_ptr()) },
            auth_result::AUTH_OK
        );
    }
    let t = import(
        p,
        r#"{"access_token":"AT","refresh_token":"RT","expires_in":60,"scope":"openid","id_token":"a.b.c","token_type":"Bearer"}"#,
    );
    unsafe { auth_params_free(p) };
    t
}

#[test]
fn a_token_survives_the_round_trip() {
    let t = a_token();
    let bytes = serialize(t);
    assert_eq!(&bytes[..5], b"ATKN\x02");
    let (r, back) = deserialize(&bytes);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(
        unsafe { &(*back).token },
        unsafe { &(*t).token },
        "every field, context included"
    );
    assert_eq!(read(unsafe { auth_token_value(back) }), "AT");
    // The copy does not depend on the original.
    unsafe { auth_token_free(t) };
    assert_eq!(read(unsafe { auth_token_value(back) }), "AT");
    assert_eq!(serialize(back), bytes, "serializing is deterministic");
    unsafe { auth_token_free(back) };
}

#[test]
fn corrupt_truncated_or_unknown_buffers_are_format_errors() {
    let t = a_token();
    let bytes = serialize(t);
    unsafe { auth_token_free(t) };
    // Under Miri, where each check is slow: the envelope's bytes and every 16th payload byte
    // (the pointer paths are the same for all).
    let step = if cfg!(miri) { 16 } else { 1 };
    let positions: Vec<usize> = (0..bytes.len())
        .filter(|i| *i < 11 || *i >= bytes.len() - 4 || i % step == 0)
        .collect();
    // Every truncation, including nothing at all.
    for &n in &positions {
        let (r, out) = deserialize(&bytes[..n]);
        assert_eq!(r, Code::Format, "cut at {n}");
        assert!(out.is_null());
    }
    // Every byte changed.
    for &i in &positions {
        let mut bad = bytes.clone();
        bad[i] ^= 0x41;
        let (r, out) = deserialize(&bad);
        assert_eq!(r, Code::Format, "byte {i} changed");
        assert!(out.is_null());
        assert!(!last_error().is_empty());
    }
    // Trailing bytes.
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(deserialize(&long).0, Code::Format);
    // A future version with a correct checksum is refused by name.
    let mut future = bytes[..bytes.len() - 4].to_vec();
    future[4] = 9;
    let crc = crc32fast::hash(&future);
    future.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(deserialize(&future).0, Code::Format);
    assert!(last_error().contains("version 9"), "{}", last_error());
    // A length far beyond the buffer is not followed.
    let mut huge = bytes.clone();
    huge[6..10].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(deserialize(&huge).0, Code::Format);
}

#[test]
fn null_pointers_are_invalid_arguments() {
    let t = a_token();
    // NULL length: nothing is allocated, the buffer pointer is NULL.
    let mut buf: *mut u8 = garbage();
    assert_eq!(
        unsafe { auth_token_serialize(t, &mut buf, std::ptr::null_mut()) },
        Code::InvalidArgument
    );
    assert!(buf.is_null());
    // NULL buffer pointer: the length is left alone.
    let mut len = 7usize;
    assert_eq!(
        unsafe { auth_token_serialize(t, std::ptr::null_mut(), &mut len) },
        Code::InvalidArgument
    );
    assert_eq!(len, 7);
    // NULL token.
    let mut buf: *mut u8 = garbage();
    assert_eq!(
        unsafe { auth_token_serialize(std::ptr::null(), &mut buf, &mut len) },
        Code::InvalidArgument
    );
    assert!(buf.is_null());
    assert_eq!(len, 7);
    assert!(last_error().contains("token"), "{}", last_error());
    unsafe { auth_token_free(t) };

    let mut out: *mut auth_token = garbage();
    assert_eq!(
        unsafe { auth_token_deserialize(std::ptr::null(), 10, &mut out) },
        Code::InvalidArgument
    );
    assert!(out.is_null());
    let byte = 0u8;
    assert_eq!(
        unsafe { auth_token_deserialize(&byte, 0, std::ptr::null_mut()) },
        Code::InvalidArgument
    );
    // An empty buffer at a valid address is a format error, not a crash.
    let mut out: *mut auth_token = garbage();
    assert_eq!(
        unsafe { auth_token_deserialize(&byte, 0, &mut out) },
        Code::Format
    );
    assert!(out.is_null());
    unsafe { auth_bytes_free(std::ptr::null_mut(), 123) };
}
