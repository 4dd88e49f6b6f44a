//! The binary token format through the C API: no sequence of bytes makes
//! `auth_token_deserialize` do anything but succeed or return AUTH_ERROR_FORMAT with a NULL
//! token. (The format's own properties are the core's tests: core/src/token/format_props.rs.)

use authtoken::result::auth_result;
use authtoken::token::{auth_token, auth_token_deserialize, auth_token_free};
use authtoken_core::ErrorKind as Code;
use proptest::prelude::*;

proptest! {
    #[test]
    fn random_bytes_through_the_c_api(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut out: *mut auth_token = std::ptr::null_mut();
        let r = unsafe { auth_token_deserialize(bytes.as_ptr(), bytes.len(), &mut out) };
        if r == auth_result::AUTH_OK {
            unsafe { auth_token_free(out) };
        } else {
            prop_assert_eq!(r, Code::Format);
            prop_assert!(out.is_null());
        }
    }
}
