//! A thin safe wrapper over the C functions, so the tests exercise the C contract itself
//! (result codes, last error, ownership) without repeating the unsafe calls.

use authtoken::last_error::{auth_last_error, auth_last_http_status, auth_last_oauth_error};
use authtoken::memory::{auth_bytes_free, auth_string_free};
use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_cancel, auth_params_free, auth_params_new,
    auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{
    auth_import_token, auth_token, auth_token_authorization_details,
    auth_token_authorization_header, auth_token_deserialize, auth_token_dpop_jkt,
    auth_token_dpop_proof, auth_token_expiration, auth_token_free, auth_token_id_token,
    auth_token_is_valid, auth_token_load, auth_token_refresh_token, auth_token_save,
    auth_token_scope, auth_token_serialize, auth_token_type, auth_token_value,
};
use authtoken::token_endpoint::{
    auth_create_jwt_assertion, auth_introspect_token, auth_refresh_token, auth_revoke_token,
};
use std::ffi::{CStr, CString, c_char};

/// Options and result codes by the core's names: `Opt::ClientId` is `AUTH_OPT_CLIENT_ID`,
/// `Code::InvalidGrant` is `AUTH_ERROR_INVALID_GRANT` (an `auth_result` compares with it).
#[allow(unused_imports)]
pub use authtoken_core::{ErrorKind as Code, Kind, ParamOption as Opt};

/// A failed call: its code and what the last-error functions said right after it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: auth_result,
    pub message: String,
    pub oauth_error: String,
    pub http_status: i32,
}

fn c_str(p: *const c_char) -> String {
    assert!(
        !p.is_null(),
        "the library returned NULL where a string was promised"
    );
    // SAFETY: the library returns NUL-terminated strings that live until the next call.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn check(code: auth_result) -> Result<(), Failure> {
    if code == auth_result::AUTH_OK {
        assert_eq!(
            c_str(auth_last_error()),
            "",
            "last error not cleared on success"
        );
        return Ok(());
    }
    let failure = Failure {
        code,
        message: c_str(auth_last_error()),
        oauth_error: c_str(auth_last_oauth_error()),
        http_status: auth_last_http_status(),
    };
    assert!(
        !failure.message.is_empty(),
        "a failure without a message: {failure:?}"
    );
    Err(failure)
}

/// An `auth_params` handle.
pub struct Params(*mut auth_params);
// SAFETY: auth_params is thread-safe by contract.
unsafe impl Send for Params {}
unsafe impl Sync for Params {}

impl Params {
    pub fn new(kind: Kind) -> Params {
        let mut p = std::ptr::null_mut();
        check(auth_params_new(auth_kind::from(kind), &mut p)).expect("auth_params_new");
        Params(p)
    }
    pub fn oauth2() -> Params {
        Params::new(Kind::OAuth2)
    }
    pub fn openid() -> Params {
        Params::new(Kind::OpenId)
    }
    pub fn jwt() -> Params {
        Params::new(Kind::Jwt)
    }
    /// Sets an option; panics when the library refuses it.
    pub fn set(&self, option: Opt, value: &str) -> &Params {
        self.try_set(option, value)
            .unwrap_or_else(|f| panic!("auth_params_set({option:?}, {value:?}): {f:?}"));
        self
    }
    pub fn try_set(&self, option: Opt, value: &str) -> Result<(), Failure> {
        let v = CString::new(value).expect("no NUL");
        // SAFETY: live handle and NUL-terminated string.
        check(unsafe { auth_params_set(self.0, auth_option::from(option), v.as_ptr()) })
    }
    /// `private_key_jwt` with the test provider's EC client key (tests/provider/keys/client-ec.pem,
    /// ES256, kid `client-ec`), as the clients `pkjwt-ec` and `fapi-app` of server.mjs expect.
    pub fn ec_client_key(&self) -> &Params {
        let key = super::key_path("client-ec.pem");
        self.set(Opt::ClientAuth, "private_key_jwt")
            .set(Opt::JwtPrivateKey, key.to_str().unwrap())
            .set(Opt::JwtAlgorithm, "ES256")
            .set(Opt::JwtKeyId, "client-ec")
    }
    /// `auth_params_set(p, option, NULL)`: the option's default again.
    pub fn reset_option(&self, option: Opt) -> &Params {
        // SAFETY: live handle; NULL resets.
        check(unsafe { auth_params_set(self.0, auth_option::from(option), std::ptr::null()) })
            .expect("reset");
        self
    }
    pub fn cancel(&self) {
        // SAFETY: live handle.
        check(unsafe { auth_params_cancel(self.0) }).expect("cancel");
    }
    pub fn as_ptr(&self) -> *const auth_params {
        self.0
    }
}

impl Drop for Params {
    fn drop(&mut self) {
        // SAFETY: made by auth_params_new, freed once.
        unsafe { auth_params_free(self.0) };
    }
}

/// An `auth_token` handle.
pub struct Token(*mut auth_token);
// SAFETY: tokens are immutable and thread-safe by contract.
unsafe impl Send for Token {}
unsafe impl Sync for Token {}

impl Token {
    /// Takes ownership of a handle returned by the library.
    pub fn from_raw(p: *mut auth_token) -> Token {
        assert!(!p.is_null());
        Token(p)
    }
    pub fn as_ptr(&self) -> *const auth_token {
        self.0
    }
    pub fn value(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_value(self.0) })
    }
    pub fn refresh_token(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_refresh_token(self.0) })
    }
    pub fn id_token(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_id_token(self.0) })
    }
    pub fn scope(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_scope(self.0) })
    }
    pub fn token_type(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_type(self.0) })
    }
    pub fn expiration(&self) -> i64 {
        // SAFETY: a live handle.
        unsafe { auth_token_expiration(self.0) }
    }
    pub fn authorization_header(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_authorization_header(self.0) })
    }
    /// `auth_token_dpop_jkt`: `""` when the token is not DPoP-bound.
    pub fn dpop_jkt(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_dpop_jkt(self.0) })
    }
    /// `auth_token_authorization_details`: `""` when none were granted.
    pub fn authorization_details(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { auth_token_authorization_details(self.0) })
    }
    /// `auth_token_dpop_proof`.
    pub fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
    ) -> Result<String, Failure> {
        let (method, url) = (CString::new(method).unwrap(), CString::new(url).unwrap());
        let nonce = nonce.map(|n| CString::new(n).unwrap());
        let n = nonce.as_ref().map_or(std::ptr::null(), |n| n.as_ptr());
        // SAFETY: a live handle and NUL-terminated strings (or NULL for the nonce).
        string_out(|out| unsafe {
            auth_token_dpop_proof(self.0, method.as_ptr(), url.as_ptr(), n, out)
        })
    }
    /// `auth_token_save`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), Failure> {
        let path = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a live handle and a NUL-terminated string.
        check(unsafe { auth_token_save(self.0, path.as_ptr()) })
    }
    /// `auth_token_load`.
    pub fn load(path: &std::path::Path) -> Result<Token, Failure> {
        let path = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated string.
        token_out(|out| unsafe { auth_token_load(path.as_ptr(), out) })
    }
    pub fn is_valid(&self) -> bool {
        // SAFETY: a live handle.
        unsafe { auth_token_is_valid(self.0) }
    }
    pub fn serialize(&self) -> Vec<u8> {
        let mut buf = std::ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: live handle, valid out-pointers.
        check(unsafe { auth_token_serialize(self.0, &mut buf, &mut len) }).expect("serialize");
        // SAFETY: the library returned `len` bytes at `buf`.
        let bytes = unsafe { std::slice::from_raw_parts(buf, len) }.to_vec();
        // SAFETY: returned by auth_token_serialize with this length.
        unsafe { auth_bytes_free(buf, len) };
        bytes
    }
    /// `auth_token_issued_token_type`.
    pub fn issued_token_type(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { authtoken::token::auth_token_issued_token_type(self.0) })
    }
    pub fn deserialize(bytes: &[u8]) -> Result<Token, Failure> {
        let mut out = std::ptr::null_mut();
        // SAFETY: `bytes` is readable for its length.
        check(unsafe { auth_token_deserialize(bytes.as_ptr(), bytes.len(), &mut out) })?;
        Ok(Token::from_raw(out))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        // SAFETY: a handle from the library, freed once.
        unsafe { auth_token_free(self.0) };
    }
}

fn token_out(f: impl FnOnce(*mut *mut auth_token) -> auth_result) -> Result<Token, Failure> {
    let mut out: *mut auth_token = std::ptr::dangling_mut();
    let r = check(f(&mut out));
    match r {
        Ok(()) => Ok(Token::from_raw(out)),
        Err(e) => {
            assert!(out.is_null(), "out-parameter not set to NULL on failure");
            Err(e)
        }
    }
}

fn string_out(f: impl FnOnce(*mut *mut c_char) -> auth_result) -> Result<String, Failure> {
    let mut out: *mut c_char = std::ptr::dangling_mut();
    match check(f(&mut out)) {
        Ok(()) => {
            let s = c_str(out);
            // SAFETY: a string returned by the library, freed once.
            unsafe { auth_string_free(out) };
            Ok(s)
        }
        Err(e) => {
            assert!(out.is_null(), "out-parameter not set to NULL on failure");
            Err(e)
        }
    }
}

/// `auth_import_token`.
pub fn import(params: Option<&Params>, json: &str) -> Result<Token, Failure> {
    let json = CString::new(json).expect("no NUL");
    let p = params.map_or(std::ptr::null(), Params::as_ptr);
    // SAFETY: valid pointers.
    token_out(|out| unsafe { auth_import_token(p, json.as_ptr(), out) })
}

/// `auth_refresh_token`.
pub fn refresh(token: &Token) -> Result<Token, Failure> {
    // SAFETY: live handle.
    token_out(|out| unsafe { auth_refresh_token(token.as_ptr(), out) })
}

/// `auth_identify`.
pub fn identify(params: &Params) -> Result<Token, Failure> {
    // SAFETY: live handle.
    token_out(|out| unsafe { authtoken::identify::auth_identify(params.as_ptr(), out) })
}

/// `auth_exchange_token`.
pub fn exchange(
    params: &Params,
    subject_token: &str,
    subject_token_type: Option<&str>,
) -> Result<Token, Failure> {
    let subject = CString::new(subject_token).expect("no NUL");
    let kind = subject_token_type.map(|t| CString::new(t).expect("no NUL"));
    let kind = kind.as_ref().map_or(std::ptr::null(), |k| k.as_ptr());
    // SAFETY: live handle, NUL-terminated strings or NULL.
    token_out(|out| unsafe {
        authtoken::token_endpoint::auth_exchange_token(params.as_ptr(), subject.as_ptr(), kind, out)
    })
}

/// `auth_step_up`.
pub fn step_up(params: &Params, www_authenticate: &str) -> Result<Token, Failure> {
    let header = CString::new(www_authenticate).expect("no NUL");
    // SAFETY: live handle, NUL-terminated string.
    token_out(|out| unsafe {
        authtoken::identify::auth_step_up(params.as_ptr(), header.as_ptr(), out)
    })
}

/// `auth_parse_challenge`, as text.
pub fn parse_challenge(www_authenticate: &str) -> Result<String, Failure> {
    let header = CString::new(www_authenticate).expect("no NUL");
    // SAFETY: a NUL-terminated string.
    string_out(|out| unsafe { authtoken::identify::auth_parse_challenge(header.as_ptr(), out) })
}

/// `auth_revoke_token`.
pub fn revoke(token: &Token) -> Result<(), Failure> {
    // SAFETY: live handle.
    check(unsafe { auth_revoke_token(token.as_ptr()) })
}

/// `auth_introspect_token`, parsed.
pub fn introspect(token: &Token) -> Result<serde_json::Value, Failure> {
    // SAFETY: live handle.
    let text = string_out(|out| unsafe { auth_introspect_token(token.as_ptr(), out) })?;
    Ok(serde_json::from_str(&text).expect("introspection JSON"))
}

/// `auth_create_jwt_assertion`.
pub fn create_jwt_assertion(params: &Params) -> Result<String, Failure> {
    // SAFETY: live handle.
    string_out(|out| unsafe { auth_create_jwt_assertion(params.as_ptr(), out) })
}

/// The claims of a compact JWT, not verified (to look at what was sent).
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("a compact JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The name of a result code, from `auth_result_name`.
pub fn result_name(code: auth_result) -> String {
    c_str(authtoken::result::auth_result_name(
        authtoken::result::auth_result_value(code.0),
    ))
}

/// An `auth_login` handle (the two-step login).
pub struct Login(*mut authtoken::login::auth_login);
// SAFETY: a login is only read after it is made, and the library's handles are thread-safe.
unsafe impl Send for Login {}
unsafe impl Sync for Login {}

impl Login {
    /// `auth_login_begin`.
    pub fn begin(params: &Params) -> Result<Login, Failure> {
        let mut out = std::ptr::dangling_mut();
        // SAFETY: live handle, writable out-pointer.
        let r = check(unsafe { authtoken::login::auth_login_begin(params.as_ptr(), &mut out) });
        match r {
            Ok(()) => {
                assert!(!out.is_null());
                Ok(Login(out))
            }
            Err(e) => {
                assert!(out.is_null(), "out-parameter not set to NULL on failure");
                Err(e)
            }
        }
    }
    /// `auth_login_url`.
    pub fn url(&self) -> String {
        c_str(authtoken::login::auth_login_url(self.0))
    }
    /// `auth_login_complete`.
    pub fn complete(&self, redirect_url: &str) -> Result<Token, Failure> {
        let url = CString::new(redirect_url).expect("no NUL");
        // SAFETY: live handle and NUL-terminated string.
        token_out(|out| unsafe { authtoken::login::auth_login_complete(self.0, url.as_ptr(), out) })
    }
}

impl Drop for Login {
    fn drop(&mut self) {
        // SAFETY: made by auth_login_begin, freed once.
        unsafe { authtoken::login::auth_login_free(self.0) };
    }
}

/// An `auth_identity` handle.
pub struct Identity(*mut authtoken::identity::auth_identity);

impl Identity {
    /// `auth_identity_source`, parsed: every claim.
    pub fn source(&self) -> serde_json::Value {
        // SAFETY: a live handle; the string is copied at once.
        let text = c_str(unsafe { authtoken::identity::auth_identity_source(self.0) });
        serde_json::from_str(&text).expect("identity source JSON")
    }
    /// `auth_identity_subject`.
    pub fn subject(&self) -> String {
        // SAFETY: a live handle; the string is copied at once.
        c_str(unsafe { authtoken::identity::auth_identity_subject(self.0) })
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        // SAFETY: a handle from the library, freed once.
        unsafe { authtoken::identity::auth_identity_free(self.0) };
    }
}

fn identity_out(
    f: impl FnOnce(*mut *mut authtoken::identity::auth_identity) -> auth_result,
) -> Result<Identity, Failure> {
    let mut out = std::ptr::dangling_mut();
    match check(f(&mut out)) {
        Ok(()) => {
            assert!(!out.is_null());
            Ok(Identity(out))
        }
        Err(e) => {
            assert!(out.is_null(), "out-parameter not set to NULL on failure");
            Err(e)
        }
    }
}

/// `auth_read_identity`.
pub fn read_identity(token: &Token) -> Result<Identity, Failure> {
    // SAFETY: live handle.
    identity_out(|out| unsafe { authtoken::identity::auth_read_identity(token.as_ptr(), out) })
}

/// `auth_get_user_info`.
pub fn get_user_info(token: &Token) -> Result<Identity, Failure> {
    // SAFETY: live handle.
    identity_out(|out| unsafe { authtoken::identity::auth_get_user_info(token.as_ptr(), out) })
}

unsafe extern "C" fn accept_device_prompt(
    _: *mut std::ffi::c_void,
    _: *const c_char,
    _: *const c_char,
    _: *const c_char,
    _: i64,
) -> std::ffi::c_int {
    0
}

impl Params {
    /// A device prompt callback that shows nothing and lets the flow go on (the polling is
    /// what is tested).
    pub fn accept_device_prompt(&self) -> &Params {
        // SAFETY: live handle; the callback ignores its arguments.
        check(unsafe {
            authtoken::params::auth_params_set_device_prompt(
                self.0,
                Some(accept_device_prompt),
                std::ptr::null_mut(),
            )
        })
        .expect("auth_params_set_device_prompt");
        self
    }
}

impl Params {
    /// `auth_params_set_open_url`: `f` is the browser (it gets the URL to open).
    pub fn set_open_url(
        &self,
        f: authtoken::params::auth_open_url_fn,
        user_data: *mut std::ffi::c_void,
    ) -> &Params {
        // SAFETY: live handle; the callback and its data outlive the params in the tests.
        check(unsafe { authtoken::params::auth_params_set_open_url(self.0, f, user_data) })
            .expect("auth_params_set_open_url");
        self
    }
}

/// Counts the logins refused by [`Params::refuse_logins`].
pub static REFUSED_LOGINS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe extern "C" fn refuse_login(_: *mut std::ffi::c_void, _: *const c_char) -> std::ffi::c_int {
    REFUSED_LOGINS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    1
}

impl Params {
    /// A login is refused (AUTH_ERROR_CANCELLED) and counted in [`REFUSED_LOGINS`].
    pub fn refuse_logins(&self) -> &Params {
        self.set_open_url(Some(refuse_login), std::ptr::null_mut())
    }
}

/// `auth_logout_with_params`.
pub fn logout_with_params(params: &Params, token: &Token) -> Result<(), Failure> {
    // SAFETY: live handles.
    check(unsafe { authtoken::login::auth_logout_with_params(params.as_ptr(), token.as_ptr()) })
}

/// An `auth_session` handle.
pub struct Session(*mut authtoken::session::auth_session);
// SAFETY: sessions are thread-safe by contract.
unsafe impl Send for Session {}
unsafe impl Sync for Session {}

impl Session {
    /// `auth_session_new(params, location)`: a token file path or a store URL (None: memory
    /// only).
    pub fn new(params: &Params, location: Option<&str>) -> Result<Session, Failure> {
        let location = location.map(|l| CString::new(l).expect("no NUL"));
        let mut out = std::ptr::dangling_mut();
        // SAFETY: live handle, NUL-terminated location or NULL, writable out-pointer.
        let r = check(unsafe {
            authtoken::session::auth_session_new(
                params.as_ptr(),
                location.as_ref().map_or(std::ptr::null(), |l| l.as_ptr()),
                &mut out,
            )
        });
        match r {
            Ok(()) => Ok(Session(out)),
            Err(e) => {
                assert!(out.is_null(), "out-parameter not set to NULL on failure");
                Err(e)
            }
        }
    }

    /// A session made by another constructor (e.g. `auth_session_new_with_store`).
    pub fn from_raw(p: *mut authtoken::session::auth_session) -> Session {
        Session(p)
    }
    /// `auth_session_token`.
    pub fn token(&self, min_valid_seconds: i64) -> Result<Token, Failure> {
        // SAFETY: live handle.
        token_out(|out| unsafe {
            authtoken::session::auth_session_token(self.0, min_valid_seconds, out)
        })
    }
    /// `auth_session_logout`.
    pub fn logout(&self) -> Result<(), Failure> {
        // SAFETY: live handle.
        check(unsafe { authtoken::session::auth_session_logout(self.0) })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: made by auth_session_new, freed once.
        unsafe { authtoken::session::auth_session_free(self.0) };
    }
}

/// `auth_token_save` / `auth_token_load`.
pub fn save(token: &Token, path: &std::path::Path) -> Result<(), Failure> {
    let p = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
    // SAFETY: live handle and NUL-terminated path.
    check(unsafe { authtoken::token::auth_token_save(token.as_ptr(), p.as_ptr()) })
}
pub fn load(path: &std::path::Path) -> Result<Token, Failure> {
    let p = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
    // SAFETY: NUL-terminated path.
    token_out(|out| unsafe { authtoken::token::auth_token_load(p.as_ptr(), out) })
}

thread_local! {
    static HEARD: std::cell::RefCell<Vec<(i32, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

unsafe extern "C" fn hear(
    _: *mut std::ffi::c_void,
    level: std::ffi::c_int,
    message: *const c_char,
) {
    let message = c_str(message);
    HEARD.with(|h| h.borrow_mut().push((level, message)));
}

/// Runs `f` with a log callback for this thread only (`auth_set_thread_log_callback`, every
/// level) and returns what it heard: `(level, message)`, 1 error ... 4 debug. Other tests'
/// threads, and the process's callback, are not disturbed.
pub fn with_thread_log<T>(f: impl FnOnce() -> T) -> (T, Vec<(i32, String)>) {
    authtoken::log::auth_set_thread_log_callback(Some(hear), std::ptr::null_mut(), 4);
    let out = f();
    authtoken::log::auth_set_thread_log_callback(None, std::ptr::null_mut(), 0);
    (out, HEARD.with(|h| h.take()))
}
