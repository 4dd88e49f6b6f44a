'use strict';
// The C library loaded with koffi, and its functions bound on first use (so that this
// package loads against a library that lacks some: calling one raises FunctionUnavailableError).
// Handles travel as plain numbers (uintptr_t), so that worker threads can use them too.

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

// koffi runs native calls on stacks of its own: 1 MiB for synchronous calls and 128 KiB for
// async ones by default. A login runs the library's whole flow (listener, HTTP, TLS, URL
// parsing) on that stack, which overflows 128 KiB (a SIGSEGV, seen with debug builds). Give
// both the stack a native thread normally has. koffi allows this only before its first call.
try {
  koffi.config({ ...koffi.config(), sync_stack_size: 8 << 20, async_stack_size: 8 << 20 });
} catch (_) {
  // Already configured by another copy of this module in the same thread: keep it.
}

const SIGNATURES = {
  auth_last_error: 'const char *auth_last_error()',
  auth_last_oauth_error: 'const char *auth_last_oauth_error()',
  auth_last_http_status: 'int auth_last_http_status()',
  auth_result_name: 'const char *auth_result_name(int result)',
  auth_version: 'const char *auth_version()',
  auth_set_log_callback: 'void auth_set_log_callback(uintptr_t fn, uintptr_t user_data, int max_level)',
  auth_set_thread_log_callback: 'void auth_set_thread_log_callback(uintptr_t fn, uintptr_t user_data, int max_level)',
  auth_string_free: 'void auth_string_free(void *s)',
  auth_bytes_free: 'void auth_bytes_free(void *buf, size_t len)',

  auth_params_new: 'int auth_params_new(int kind, _Out_ uintptr_t *out)',
  auth_params_set: 'int auth_params_set(uintptr_t params, int option, const char *value)',
  auth_params_set_open_url: 'int auth_params_set_open_url(uintptr_t params, uintptr_t fn, uintptr_t user_data)',
  auth_params_set_device_prompt: 'int auth_params_set_device_prompt(uintptr_t params, uintptr_t fn, uintptr_t user_data)',
  auth_params_cancel: 'int auth_params_cancel(uintptr_t params)',
  auth_params_free: 'void auth_params_free(uintptr_t params)',

  auth_identify: 'int auth_identify(uintptr_t params, _Out_ uintptr_t *out)',
  auth_refresh_token: 'int auth_refresh_token(uintptr_t token, _Out_ uintptr_t *out)',
  auth_verify_authentication: 'int auth_verify_authentication(uintptr_t params, _Out_ uintptr_t *out)',
  auth_revoke_token: 'int auth_revoke_token(uintptr_t token)',
  auth_introspect_token: 'int auth_introspect_token(uintptr_t token, _Out_ void **out_json)',
  auth_logout: 'int auth_logout(uintptr_t token)',
  auth_logout_with_params: 'int auth_logout_with_params(uintptr_t params, uintptr_t token)',
  auth_import_token: 'int auth_import_token(uintptr_t params, const char *json, _Out_ uintptr_t *out)',
  auth_create_jwt_assertion: 'int auth_create_jwt_assertion(uintptr_t params, _Out_ void **out_jwt)',
  auth_exchange_token: 'int auth_exchange_token(uintptr_t params, const char *subject_token, const char *subject_token_type, _Out_ uintptr_t *out)',
  auth_step_up: 'int auth_step_up(uintptr_t params, const char *www_authenticate, _Out_ uintptr_t *out)',
  auth_parse_challenge: 'int auth_parse_challenge(const char *www_authenticate, _Out_ void **out_json)',

  auth_token_value: 'const char *auth_token_value(uintptr_t token)',
  auth_token_refresh_token: 'const char *auth_token_refresh_token(uintptr_t token)',
  auth_token_expiration: 'int64_t auth_token_expiration(uintptr_t token)',
  auth_token_is_valid: 'bool auth_token_is_valid(uintptr_t token)',
  auth_token_type: 'const char *auth_token_type(uintptr_t token)',
  auth_token_scope: 'const char *auth_token_scope(uintptr_t token)',
  auth_token_id_token: 'const char *auth_token_id_token(uintptr_t token)',
  auth_token_server_response: 'const char *auth_token_server_response(uintptr_t token)',
  auth_token_authorization_header: 'const char *auth_token_authorization_header(uintptr_t token)',
  auth_token_dpop_jkt: 'const char *auth_token_dpop_jkt(uintptr_t token)',
  auth_token_authorization_details: 'const char *auth_token_authorization_details(uintptr_t token)',
  auth_token_dpop_proof: 'int auth_token_dpop_proof(uintptr_t token, const char *method, const char *url, const char *nonce, _Out_ void **out_proof)',
  auth_token_issued_token_type: 'const char *auth_token_issued_token_type(uintptr_t token)',
  auth_token_serialize: 'int auth_token_serialize(uintptr_t token, _Out_ void **out_buf, _Out_ size_t *out_len)',
  auth_token_deserialize: 'int auth_token_deserialize(const uint8_t *buf, size_t len, _Out_ uintptr_t *out)',
  auth_token_save: 'int auth_token_save(uintptr_t token, const char *path)',
  auth_token_load: 'int auth_token_load(const char *path, _Out_ uintptr_t *out)',
  auth_token_free: 'void auth_token_free(uintptr_t token)',

  auth_read_identity: 'int auth_read_identity(uintptr_t token, _Out_ uintptr_t *out)',
  auth_get_user_info: 'int auth_get_user_info(uintptr_t token, _Out_ uintptr_t *out)',
  auth_identity_is_valid: 'bool auth_identity_is_valid(uintptr_t identity)',
  auth_identity_source: 'const char *auth_identity_source(uintptr_t identity)',
  auth_identity_claim: 'const char *auth_identity_claim(uintptr_t identity, const char *name)',
  auth_identity_subject: 'const char *auth_identity_subject(uintptr_t identity)',
  auth_identity_email: 'const char *auth_identity_email(uintptr_t identity)',
  auth_identity_first_name: 'const char *auth_identity_first_name(uintptr_t identity)',
  auth_identity_last_name: 'const char *auth_identity_last_name(uintptr_t identity)',
  auth_identity_name: 'const char *auth_identity_name(uintptr_t identity)',
  auth_identity_id_token: 'const char *auth_identity_id_token(uintptr_t identity)',
  auth_identity_free: 'void auth_identity_free(uintptr_t identity)',

  auth_login_begin: 'int auth_login_begin(uintptr_t params, _Out_ uintptr_t *out)',
  auth_login_url: 'const char *auth_login_url(uintptr_t login)',
  auth_login_complete: 'int auth_login_complete(uintptr_t login, const char *redirect_url, _Out_ uintptr_t *out)',
  auth_login_free: 'void auth_login_free(uintptr_t login)',

  auth_session_new: 'int auth_session_new(uintptr_t params, const char *path, _Out_ uintptr_t *out)',
  auth_session_set_token_changed: 'int auth_session_set_token_changed(uintptr_t session, uintptr_t fn, uintptr_t user_data)',
  auth_session_token: 'int auth_session_token(uintptr_t session, int64_t min_valid_seconds, _Out_ uintptr_t *out)',
  auth_session_logout: 'int auth_session_logout(uintptr_t session)',
  auth_session_free: 'void auth_session_free(uintptr_t session)',
  auth_session_open: 'int auth_session_open(uintptr_t params, const char *path, _Out_ uintptr_t *out)',
};

// Callback types (koffi types are per thread/isolate: each one declares its own).
const proto = {
  log: koffi.proto('void auth_log_fn(uintptr_t user_data, int level, const char *message)'),
  openUrl: koffi.proto('int auth_open_url_fn(uintptr_t user_data, const char *url)'),
  devicePrompt: koffi.proto('int auth_device_prompt_fn(uintptr_t user_data, const char *verification_uri, const char *user_code, const char *verification_uri_complete, int64_t expires_in)'),
  tokenChanged: koffi.proto('void auth_token_changed_fn(uintptr_t user_data, uintptr_t token)'),
};

class FunctionUnavailableError extends Error {
  constructor(name, where) {
    super(`${name} is not in the loaded libauthtoken (${where}): it is older than this binding`);
    this.name = 'FunctionUnavailableError';
    this.function = name;
  }
}

function libraryNames() {
  if (process.platform === 'darwin') return ['libauthtoken.dylib'];
  if (process.platform === 'win32') return ['authtoken.dll'];
  return ['libauthtoken.so', 'libauthtoken.so.0.1'];
}

// Where the library is looked for, in this order: AUTHTOKEN_LIBRARY (a path: nothing else is
// tried); the package's own copy (prebuilds/<platform>-<arch>/, put there by scripts/release,
// then lib/); in a checkout (bindings/node inside the repository), the library of the
// checkout's last build (target/release or target/debug, whichever was built last); then the
// system loader's search.
function candidates() {
  if (process.env.AUTHTOKEN_LIBRARY) return [process.env.AUTHTOKEN_LIBRARY];
  const found = [];
  for (const folder of [path.join('prebuilds', `${process.platform}-${process.arch}`), 'lib']) {
    for (const n of libraryNames()) found.push(path.join(__dirname, folder, n));
  }
  const root = path.resolve(__dirname, '..', '..');
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) {
    const built = [];
    for (const profile of ['release', 'debug']) {
      for (const n of libraryNames()) {
        const file = path.join(root, 'target', profile, n);
        if (fs.existsSync(file)) built.push({ file, at: fs.statSync(file).mtimeMs });
      }
    }
    found.push(...built.sort((a, b) => b.at - a.at).map((b) => b.file));
  }
  return found.concat(libraryNames()); // the system loader's own search
}

let loaded = null;
let loadedPath = '';
// Called once, right after the library is loaded on this thread.
let loadHooks = [];
function onLoad(hook) {
  if (loaded) hook(); else loadHooks.push(hook);
}
function library() {
  if (loaded) return loaded;
  const errors = [];
  for (const c of candidates()) {
    if (c.includes(path.sep) && !fs.existsSync(c)) continue;
    try {
      loaded = koffi.load(c);
      loadedPath = c;
      const hooks = loadHooks;
      loadHooks = [];
      for (const hook of hooks) hook();
      return loaded;
    } catch (e) {
      errors.push(`${c}: ${e.message}`);
    }
  }
  throw new Error('libauthtoken not found (set AUTHTOKEN_LIBRARY to its path, or build it with ' +
    '`cargo build` in the repository): ' + (errors.join('; ') || candidates().join(', ')));
}

const bound = new Map();
function fn(name) {
  let f = bound.get(name);
  if (f) return f;
  const lib = library();
  try {
    f = lib.func(SIGNATURES[name]);
  } catch (e) {
    throw new FunctionUnavailableError(name, loadedPath);
  }
  bound.set(name, f);
  return f;
}

function has(name) {
  try {
    fn(name);
    return true;
  } catch (e) {
    if (e instanceof FunctionUnavailableError) return false;
    throw e;
  }
}

// This thread's last error, read right after a failed call on the same thread.
function lastError(code) {
  return {
    code,
    message: fn('auth_last_error')(),
    oauthError: fn('auth_last_oauth_error')(),
    httpStatus: fn('auth_last_http_status')(),
    name: fn('auth_result_name')(code),
  };
}

// Copies and frees a string the library gave the caller.
function takeString(pointer) {
  if (!pointer) return '';
  try {
    return koffi.decode(pointer, 'char', -1);
  } finally {
    fn('auth_string_free')(pointer);
  }
}

// Copies and frees a buffer the library gave the caller.
function takeBytes(pointer, length) {
  if (!pointer) return Buffer.alloc(0);
  try {
    return Buffer.from(koffi.decode(pointer, 'uint8_t', length));
  } finally {
    fn('auth_bytes_free')(pointer, length);
  }
}

// The address of a registered callback, as a number (0 for none).
function address(pointer) {
  return pointer ? Number(koffi.address(pointer)) : 0;
}

module.exports = {
  address,
  koffi, proto, fn, has, onLoad, lastError, takeString, takeBytes, FunctionUnavailableError,
  libraryPath: () => { library(); return loadedPath; },
};
