'use strict';
// authtoken for Node.js: OAuth 2.0 and OpenID Connect over the libauthtoken C library (koffi).
// Calls that talk to the provider return Promises and run on worker threads; the rest is
// synchronous. Failures are AuthError subclasses mirroring the C result codes.

const path = require('node:path');
const { Worker } = require('node:worker_threads');
const native = require('./native');

const { koffi, fn, FunctionUnavailableError } = native;

// ------------------------------------------------------------------------------ results
const Result = Object.freeze({
  OK: 0, INVALID_ARGUMENT: 1, NOT_REFRESHABLE: 2, NETWORK: 3, TIMEOUT: 4, PROTOCOL: 5,
  OAUTH: 6, INVALID_GRANT: 7, INVALID_CLIENT: 8, ACCESS_DENIED: 9, CANCELLED: 10,
  STATE_MISMATCH: 11, ID_TOKEN: 12, REDIRECT: 13, BROWSER: 14, FORMAT: 15, IO: 16,
  UNSUPPORTED: 17, INTERNAL: 99,
});

class AuthError extends Error {
  constructor(message, { code = Result.INTERNAL, oauthError = '', httpStatus = 0, codeName = '' } = {}) {
    super(message);
    this.name = new.target.name;
    /** The result code (see Result). */
    this.code = code;
    /** e.g. "AUTH_ERROR_INVALID_GRANT". */
    this.codeName = codeName || resultName(code);
    /** The server's OAuth `error`, "" if none. */
    this.oauthError = oauthError;
    /** The HTTP status of the answer, 0 if none. */
    this.httpStatus = httpStatus;
  }
}

const errorClasses = {};
function defineError(name, code) {
  const cls = { [name]: class extends AuthError {} }[name];
  Object.defineProperty(cls, 'code', { value: code });
  errorClasses[code] = cls;
  return cls;
}
const InvalidArgumentError = defineError('InvalidArgumentError', Result.INVALID_ARGUMENT);
const NotRefreshableError = defineError('NotRefreshableError', Result.NOT_REFRESHABLE);
const NetworkError = defineError('NetworkError', Result.NETWORK);
const TimeoutError = defineError('TimeoutError', Result.TIMEOUT);
const ProtocolError = defineError('ProtocolError', Result.PROTOCOL);
const OAuthError = defineError('OAuthError', Result.OAUTH);
const InvalidGrantError = defineError('InvalidGrantError', Result.INVALID_GRANT);
const InvalidClientError = defineError('InvalidClientError', Result.INVALID_CLIENT);
const AccessDeniedError = defineError('AccessDeniedError', Result.ACCESS_DENIED);
const CancelledError = defineError('CancelledError', Result.CANCELLED);
const StateMismatchError = defineError('StateMismatchError', Result.STATE_MISMATCH);
const IdTokenError = defineError('IdTokenError', Result.ID_TOKEN);
const RedirectError = defineError('RedirectError', Result.REDIRECT);
const BrowserError = defineError('BrowserError', Result.BROWSER);
const FormatError = defineError('FormatError', Result.FORMAT);
const IOError = defineError('IOError', Result.IO);
const UnsupportedError = defineError('UnsupportedError', Result.UNSUPPORTED);
const InternalError = defineError('InternalError', Result.INTERNAL);

function makeError({ code, message, oauthError, httpStatus, name }, cause) {
  const Cls = errorClasses[code] || AuthError;
  const err = new Cls(message || name, { code, oauthError, httpStatus, codeName: name });
  if (cause !== undefined) err.cause = cause;
  return err;
}

function check(code) {
  if (code !== 0) throw makeError(native.lastError(code));
}

function resultName(code) {
  return fn('auth_result_name')(code);
}

// ------------------------------------------------------------------------------ workers
// Blocking calls run on worker threads (worker.js), each call and the reading of its error
// details on the same thread. Idle workers do not keep the process alive.
//
// With a log callback installed (setLogCallback), calls run instead with koffi's own async
// calls: the library may log from any thread, and koffi can only call the main thread's JS
// from a thread that is not itself running JS. Errors then carry their code and class; their
// details (message, OAuth error, HTTP status) are in the log.

const idle = [];
let nextJob = 1;
const targets = new Map(); // callback user_data -> WeakRef of a Parameters or Session
const forgetTarget = new FinalizationRegistry((id) => targets.delete(id));
let nextTarget = 1;

function target(obj) {
  const id = nextTarget++;
  targets.set(id, new WeakRef(obj));
  forgetTarget.register(obj, id);
  return id;
}

function answerCallback(w, message) {
  const obj = targets.get(message.ud)?.deref();
  let result = 1;
  try {
    result = obj ? obj._dispatch(message.callback, message.args) : 1;
  } catch (_) {
    result = 1;
  }
  if (message.callback !== 'tokenChanged') {
    Atomics.store(w.answer, 1, result | 0);
    Atomics.store(w.answer, 0, 1);
    Atomics.notify(w.answer, 0);
  }
}

function spawnWorker() {
  return new Promise((resolve, reject) => {
    const shared = new SharedArrayBuffer(8);
    const w = new Worker(path.join(__dirname, 'worker.js'), { workerData: { shared } });
    w.answer = new Int32Array(shared);
    w.pending = null;
    w.on('message', (m) => {
      if (m.ready) { w.pointers = m.ready; w.unref(); resolve(w); return; }
      if (m.callback) { answerCallback(w, m); return; }
      const job = w.pending;
      w.pending = null;
      if (!w.dedicated) { w.unref(); idle.push(w); }
      if (job) job(m);
    });
    const fail = (e) => {
      const job = w.pending;
      w.pending = null;
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      const message = `authtoken worker failed: ${e && e.message ? e.message : e}`;
      if (job) job({ thrown: { name: 'Error', message } });
      reject(new Error(message));
    };
    w.on('error', fail);
    w.on('exit', (c) => fail(new Error(`exited with ${c}`)));
  });
}

async function takeWorker() {
  return idle.pop() || spawnWorker();
}

// Runs fn(args..., out) on worker `w`; resolves with the out value. `owner` supplies a
// callback's exception as the error's cause; `keep` stays alive until the reply.
function runOn(w, name, args, out, owner, keep) {
  return new Promise((resolve, reject) => {
    w.pending = (reply) => {
      keepAlive(keep);
      if (reply.thrown) {
        reject(reply.thrown.name === 'FunctionUnavailableError'
          ? new FunctionUnavailableError(reply.thrown.fn, native.libraryPath())
          : new Error(reply.thrown.message));
      } else if (reply.code !== 0) {
        const cause = owner ? owner._callbackError : undefined;
        if (owner) owner._callbackError = undefined;
        reject(makeError(reply.error, cause));
      } else {
        resolve(reply.value);
      }
    };
    w.ref();
    w.postMessage({ id: nextJob++, fn: name, args, out });
  });
}

// koffi's async call (used while a log callback is installed): see above.
function runKoffiAsync(name, args, out, owner, keep) {
  return new Promise((resolve, reject) => {
    const slot = out === 'handle' ? [0] : out === 'string' ? [null] : null;
    const callArgs = slot ? [...args, slot] : args;
    fn(name).async(...callArgs, (err, code) => {
      keepAlive(keep);
      if (err) { reject(err); return; }
      if (code !== 0) {
        const cause = owner ? owner._callbackError : undefined;
        if (owner) owner._callbackError = undefined;
        const codeName = resultName(code);
        reject(makeError({ code, message: `${codeName} (details in the log)`, oauthError: '', httpStatus: 0, name: codeName }, cause));
        return;
      }
      if (out === 'handle') resolve(slot[0]);
      else if (out === 'string') resolve(native.takeString(slot[0]));
      else resolve(undefined);
    });
  });
}

let logInstalled = false;

// The handles of `objects` are in use by a call: keep the objects (and so their handles, freed
// by the FinalizationRegistry) alive until it returns.
function keepAlive(objects) {
  return objects;
}

// A blocking call off the main thread. `keep` lists the objects whose handles are in `args`.
// `params` (optional) gets its callbacks pointed at the thread that runs the call; calls on the
// same params with callbacks run one at a time.
async function callAsync(name, args, out, { owner, params, keep = [] } = {}) {
  fn(name); // FunctionUnavailableError before anything else
  const run = async () => {
    if (logInstalled) {
      if (params) params._pointCallbacks(mainTrampolines());
      if (owner) owner._callbackError = undefined;
      return runKoffiAsync(name, args, out, owner, keep);
    }
    const w = await takeWorker();
    if (params) params._pointCallbacks(w.pointers);
    if (owner) owner._callbackError = undefined;
    return runOn(w, name, args, out, owner, keep);
  };
  return params ? params._exclusive(run) : run();
}

let mainPointers = null;
function mainTrampolines() {
  if (mainPointers) return mainPointers;
  const reg = (proto, wrap) => native.address(koffi.register(wrap, koffi.pointer(proto)));
  mainPointers = {
    openUrl: reg(native.proto.openUrl, (ud, url) => {
      const obj = targets.get(Number(ud))?.deref();
      return obj ? obj._dispatch('openUrl', [url]) : 1;
    }),
    devicePrompt: reg(native.proto.devicePrompt, (ud, uri, code, complete, expires) => {
      const obj = targets.get(Number(ud))?.deref();
      return obj ? obj._dispatch('devicePrompt', [uri, code, complete, Number(expires)]) : 1;
    }),
    tokenChanged: reg(native.proto.tokenChanged, (ud, token) => {
      const obj = targets.get(Number(ud))?.deref();
      if (obj) obj._dispatch('tokenChanged', [tokenBytes(token)]);
    }),
  };
  return mainPointers;
}

function tokenBytes(handle) {
  const buf = [null];
  const len = [0];
  check(fn('auth_token_serialize')(handle, buf, len));
  return native.takeBytes(buf[0], Number(len[0]));
}

// ------------------------------------------------------------------------------ handles
// `using` support where the runtime has no Symbol.dispose yet (the key must exist first).
if (!Symbol.dispose) Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') });
const registry = new FinalizationRegistry(({ free, handle }) => {
  try { fn(free)(handle); } catch (_) { /* the process is ending */ }
});

class Handle {
  constructor(handle, free) {
    if (!handle) throw new Error('NULL handle');
    this._handle = handle;
    this._free = free;
    registry.register(this, { free, handle }, this);
  }

  get handle() {
    if (!this._handle) throw new Error(`${this.constructor.name} is freed`);
    return this._handle;
  }

  /** Frees the native object now (also done when it is garbage collected). */
  free() {
    if (!this._handle) return;
    registry.unregister(this);
    const h = this._handle;
    this._handle = 0;
    fn(this._free)(h);
  }

  [Symbol.dispose]() { this.free(); }
}

// ------------------------------------------------------------------------------ params
const Kind = Object.freeze({ OAUTH2: 0, OPENID: 1, JWT: 2 });
const Option = Object.freeze({
  clientId: 1, clientSecret: 2, authUrl: 3, tokenUrl: 4, scope: 5, redirectUrl: 6,
  responseType: 7, additionalParameters: 8, configurationUrl: 9, clientAuth: 10,
  loginTimeout: 11, httpTimeout: 12, flow: 13, deviceAuthUrl: 14, revocationUrl: 15,
  userinfoUrl: 16, pkce: 17, successPage: 18, logoutUrl: 19, introspectionUrl: 20,
  clientCertificate: 21, clientCertificatePassword: 22, jwtPrivateKey: 23, jwtAlgorithm: 24,
  jwtKeyId: 25, jwtIssuer: 26, jwtSubject: 27, jwtAudience: 28, caFile: 29, proxy: 30,
  clockSkew: 31, acrValues: 40, maxAge: 41, prompt: 42, loginHint: 43,
  requestedTokenType: 44, audience: 45, actorToken: 46, actorTokenType: 47, cibaUrl: 48,
  bindingMessage: 49,
});
const SECRET_OPTIONS = new Set([
  Option.clientSecret, Option.clientCertificatePassword, Option.jwtPrivateKey, Option.actorToken,
]);

class Parameters extends Handle {
  constructor(kind, options = {}) {
    const out = [0];
    check(fn('auth_params_new')(kind, out));
    super(out[0], 'auth_params_free');
    this.kind = kind;
    this._values = new Map();
    this._openUrl = null;
    this._devicePrompt = null;
    this._queue = Promise.resolve();
    this._target = target(this);
    for (const [name, value] of Object.entries(options)) {
      if (name === 'openUrl') this.setOpenUrl(value);
      else if (name === 'devicePrompt') this.setDevicePrompt(value);
      else if (name in Option) { if (value !== undefined && value !== null) this.set(name, value); }
      else { this.free(); throw new TypeError(`unknown option ${name}`); }
    }
  }

  /** auth_params_set: `option` is a name of Option or its number; null resets it. */
  set(option, value) {
    const number = typeof option === 'number' ? option : Option[option];
    if (number === undefined) throw new TypeError(`unknown option ${option}`);
    const text = value === null || value === undefined ? null : String(value);
    check(fn('auth_params_set')(this.handle, number, text));
    if (text === null) this._values.delete(number);
    else if (!SECRET_OPTIONS.has(number)) this._values.set(number, value);
    return this;
  }

  /** The value set for an option (secrets are not kept: undefined). */
  get(option) {
    const number = typeof option === 'number' ? option : Option[option];
    return this._values.get(number);
  }

  _guard(callback, value) {
    try {
      const r = callback(value);
      if (r === false) return 1;
      if (r && typeof r.then === 'function') r.then(null, () => {});
      return 0;
    } catch (e) {
      this._callbackError = e; // becomes the cause of the CancelledError
      return 1;
    }
  }

  _dispatch(kind, args) {
    if (kind === 'openUrl') return this._openUrl ? this._guard(this._openUrl, args[0]) : 1;
    if (kind === 'devicePrompt') {
      const [verificationUri, userCode, verificationUriComplete, expiresIn] = args;
      return this._devicePrompt
        ? this._guard(this._devicePrompt, { verificationUri, userCode, verificationUriComplete, expiresIn })
        : 1;
    }
    return 1;
  }

  // Points the C callbacks at the thread about to run a flow (see callAsync).
  _pointCallbacks(pointers) {
    check(fn('auth_params_set_open_url')(this.handle, this._openUrl ? pointers.openUrl : 0, this._target));
    check(fn('auth_params_set_device_prompt')(this.handle, this._devicePrompt ? pointers.devicePrompt : 0, this._target));
  }

  // Runs `task` after the flows already started on these params (one at a time).
  _exclusive(task) {
    const run = this._queue.then(task, task);
    this._queue = run.then(() => {}, () => {});
    return run;
  }

  /** Shows the user the authorization URL instead of the system browser. It runs on the main
   * thread while the flow waits; return false (or throw) to cancel. null: the system browser. */
  setOpenUrl(callback) {
    this._openUrl = callback || null;
    return this;
  }

  /** Device flow: `callback({verificationUri, userCode, verificationUriComplete, expiresIn})`.
   * Return false (or throw) to cancel. */
  setDevicePrompt(callback) {
    this._devicePrompt = callback || null;
    return this;
  }

  /** Ends the interactive flows running with these parameters (they reject with CancelledError). */
  cancel() {
    check(fn('auth_params_cancel')(this.handle));
  }

}
for (const [name, number] of Object.entries(Option)) {
  Object.defineProperty(Parameters.prototype, name, {
    get() { return this.get(number); },
    set(value) { this.set(number, value); },
  });
}

class OAuth2Parameters extends Parameters {
  constructor(options) { super(Kind.OAUTH2, options); }
}
class OpenIDParameters extends Parameters {
  constructor(options) { super(Kind.OPENID, options); }
}
class JWTParameters extends Parameters {
  constructor(options) { super(Kind.JWT, options); }
}

// ------------------------------------------------------------------------------ token
class Token extends Handle {
  constructor(handle) { super(handle, 'auth_token_free'); }

  /** The access token (Value). */
  get value() { return fn('auth_token_value')(this.handle); }
  /** The refresh token, "" if none. */
  get refreshToken() { return fn('auth_token_refresh_token')(this.handle); }
  /** Seconds since the epoch; 0 if unknown. */
  get expirationTimestamp() { return Number(fn('auth_token_expiration')(this.handle)); }
  /** When the access token expires; null if unknown. */
  get expiration() { const t = this.expirationTimestamp; return t ? new Date(t * 1000) : null; }
  get isValid() { return fn('auth_token_is_valid')(this.handle); }
  get tokenType() { return fn('auth_token_type')(this.handle); }
  get scope() { return fn('auth_token_scope')(this.handle); }
  get idToken() { return fn('auth_token_id_token')(this.handle); }
  get serverResponse() { return fn('auth_token_server_response')(this.handle); }
  get authorizationHeader() { return fn('auth_token_authorization_header')(this.handle); }
  /** What a token exchange issued (a token type URI), "" if the answer named none. */
  get issuedTokenType() { return fn('auth_token_issued_token_type')(this.handle); }

  /** True when the token expires in less than `seconds` (false when unknown). */
  expiresWithin(seconds) {
    const t = this.expirationTimestamp;
    return t !== 0 && t - seconds < Date.now() / 1000;
  }

  /** The versioned binary form (holds secrets). */
  serialize() {
    const buf = [null];
    const len = [0];
    check(fn('auth_token_serialize')(this.handle, buf, len));
    return native.takeBytes(buf[0], Number(len[0]));
  }

  static deserialize(bytes) {
    const data = Buffer.from(bytes);
    const out = [0];
    check(fn('auth_token_deserialize')(data, data.length, out));
    return new Token(out[0]);
  }

  /** Writes the token to `file` atomically, mode 0600. */
  save(file) { check(fn('auth_token_save')(this.handle, String(file))); }

  static load(file) {
    const out = [0];
    check(fn('auth_token_load')(String(file), out));
    return new Token(out[0]);
  }

  /** refreshToken(this). */
  refresh() { return refreshToken(this); }

  toJSON() {
    return { tokenType: this.tokenType, isValid: this.isValid, expiration: this.expiration, scope: this.scope };
  }
}

// ------------------------------------------------------------------------------ identity
class Identity extends Handle {
  constructor(handle) { super(handle, 'auth_identity_free'); }
  get isValid() { return fn('auth_identity_is_valid')(this.handle); }
  /** Every claim as JSON text (Source). */
  get source() { return fn('auth_identity_source')(this.handle); }
  /** Every claim, parsed. */
  get claims() { const s = this.source; return s ? JSON.parse(s) : {}; }
  /** A claim in string form (JSON for non-strings); null when absent. */
  claim(name) { return fn('auth_identity_claim')(this.handle, name); }
  get subject() { return fn('auth_identity_subject')(this.handle); }
  get email() { return fn('auth_identity_email')(this.handle); }
  get firstName() { return fn('auth_identity_first_name')(this.handle); }
  get lastName() { return fn('auth_identity_last_name')(this.handle); }
  get name() { return fn('auth_identity_name')(this.handle); }
  get idToken() { return fn('auth_identity_id_token')(this.handle); }
  toJSON() { return this.claims; }
}

// ------------------------------------------------------------------------------ flows
async function identify(params) {
  return new Token(await callAsync('auth_identify', [params.handle], 'handle', { owner: params, params, keep: [params] }));
}
async function verifyAuthentication(params) {
  return new Token(await callAsync('auth_verify_authentication', [params.handle], 'handle', { owner: params, params, keep: [params] }));
}
/** Step-up (RFC 9470): signs the user in again as a resource server's WWW-Authenticate value
 * asks (its acr_values and max_age replace the params'); the new ID token must meet them. */
async function stepUp(params, wwwAuthenticate) {
  return new Token(await callAsync('auth_step_up', [params.handle, String(wwwAuthenticate)], 'handle', { owner: params, params, keep: [params] }));
}
/** Token exchange (RFC 8693): `subjectToken` (of `subjectTokenType`, default an access token)
 * for a new token, with the params' client, scope, audience, requestedTokenType, actorToken. */
async function exchangeToken(params, subjectToken, subjectTokenType = null) {
  const type = subjectTokenType === null || subjectTokenType === undefined ? null : String(subjectTokenType);
  return new Token(await callAsync('auth_exchange_token', [params.handle, String(subjectToken), type], 'handle', { keep: [params] }));
}
/** A WWW-Authenticate value as a list of challenges:
 * [{scheme: 'Bearer', params: {error: '…'}}], or {scheme: 'Basic', token68: '…'}. */
function parseChallenge(wwwAuthenticate) {
  const out = [null];
  check(fn('auth_parse_challenge')(String(wwwAuthenticate), out));
  return JSON.parse(native.takeString(out[0]));
}
async function refreshToken(token) {
  return new Token(await callAsync('auth_refresh_token', [token.handle], 'handle', { keep: [token] }));
}
async function revokeToken(token) {
  await callAsync('auth_revoke_token', [token.handle], 'none', { keep: [token] });
}
async function introspectToken(token) {
  const text = await callAsync('auth_introspect_token', [token.handle], 'string', { keep: [token] });
  return text ? JSON.parse(text) : {};
}
async function logout(token, params) {
  if (params) await callAsync('auth_logout_with_params', [params.handle, token.handle], 'none', { owner: params, params, keep: [params, token] });
  else await callAsync('auth_logout', [token.handle], 'none', { keep: [token] });
}
async function readIdentity(token) {
  return new Identity(await callAsync('auth_read_identity', [token.handle], 'handle', { keep: [token] }));
}
async function getUserInfo(token) {
  return new Identity(await callAsync('auth_get_user_info', [token.handle], 'handle', { keep: [token] }));
}

/** A token from a token endpoint answer (JSON text, form text or an object). */
function importToken(answer, params) {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
  const out = [0];
  check(fn('auth_import_token')(params ? params.handle : 0, text, out));
  return new Token(out[0]);
}

/** A signed client or grant assertion made from the jwt* options. */
function createJwtAssertion(params) {
  const out = [null];
  check(fn('auth_create_jwt_assertion')(params.handle, out));
  return native.takeString(out[0]);
}

// ------------------------------------------------------------------------------ login
class Login extends Handle {
  constructor(handle, params) {
    super(handle, 'auth_login_free');
    this._params = params;
  }

  /** Starts a two-step login (state, nonce, PKCE; discovery for OpenID). */
  static async begin(params) {
    return new Login(await callAsync('auth_login_begin', [params.handle], 'handle', { keep: [params] }), params);
  }

  /** The authorization URL to send the user to. */
  get url() { return fn('auth_login_url')(this.handle); }

  /** Completes it with the URL the browser was redirected to. */
  async complete(redirectUrl) {
    return new Token(await callAsync('auth_login_complete', [this.handle, String(redirectUrl)], 'handle', { keep: [this] }));
  }
}

// ------------------------------------------------------------------------------ session
// A session keeps the callbacks its params had when it was made, so it lives on one thread of
// its own (made with it, ended by free()) that runs all its calls.
class Session extends Handle {
  constructor(handle, params, w) {
    super(handle, 'auth_session_free');
    this._params = params;
    this._worker = w;
    this._changed = null;
    this._target = target(this);
    this._callbackError = undefined;
  }

  /** auth_session_new: `file` may be null (memory only); it is read now if it exists.
   * `onTokenChanged(token)` gets a copy of every new token (login or refresh). */
  static async create(params, file = null, { onTokenChanged } = {}) {
    const path_ = file === null || file === undefined ? null : String(file);
    fn('auth_session_new');
    return params._exclusive(async () => {
      let session;
      if (logInstalled) {
        params._pointCallbacks(mainTrampolines());
        const out = [0];
        check(fn('auth_session_new')(params.handle, path_, out));
        session = new Session(out[0], params, null);
      } else {
        const w = await spawnWorker();
        w.dedicated = true;
        params._pointCallbacks(w.pointers);
        try {
          session = new Session(await runOn(w, 'auth_session_new', [params.handle, path_], 'handle', params, [params]), params, w);
        } catch (e) {
          w.terminate();
          throw e;
        }
      }
      if (onTokenChanged) session.onTokenChanged(onTokenChanged);
      return session;
    });
  }

  _dispatch(kind, args) {
    if (kind === 'tokenChanged' && this._changed) {
      try { this._changed(Token.deserialize(args[0])); } catch (_) { /* ignored */ }
      return 0;
    }
    return this._params._dispatch(kind, args);
  }

  /** Called with a copy of every new token (login or refresh), on the main thread. */
  onTokenChanged(callback) {
    this._changed = callback || null;
    const pointers = this._worker ? this._worker.pointers : mainTrampolines();
    check(fn('auth_session_set_token_changed')(this.handle, callback ? pointers.tokenChanged : 0, this._target));
    return this;
  }

  _call(name, args, out) {
    fn(name);
    if (!this._worker) return runKoffiAsync(name, args, out, this._params, [this]);
    const run = () => runOn(this._worker, name, args, out, this._params, [this]);
    const next = (this._queue || Promise.resolve()).then(run, run);
    this._queue = next.then(() => {}, () => {});
    return next;
  }

  /** A token valid for at least `minValidSeconds`: the current one, a refresh, or a login. */
  async token(minValidSeconds = 60) {
    return new Token(await this._call('auth_session_token', [this.handle, minValidSeconds], 'handle'));
  }

  /** Revokes what can be revoked and deletes the file. */
  async logout() {
    await this._call('auth_session_logout', [this.handle], 'none');
  }

  /** Frees the session and ends its thread. */
  free() {
    super.free();
    if (this._worker) this._worker.terminate();
    this._worker = null;
  }

  /** auth_session_open: new + token(60) + free. */
  static async open(params, file = null) {
    const path_ = file === null || file === undefined ? null : String(file);
    return new Token(await callAsync('auth_session_open', [params.handle, path_], 'handle', { owner: params, params, keep: [params] }));
  }
}

// ------------------------------------------------------------------------------ misc
/** Sends log lines up to maxLevel (1 error ... 4 debug) to callback(level, message) on the main
 * thread; null turns logging off. While it is installed, errors of the Promise-returning calls
 * carry their code and class only (the details are in the log): see callAsync. */
function setLogCallback(callback, maxLevel = 3) {
  // A replaced callback may still be running on another thread: it is never unregistered
  // (one small trampoline per call of setLogCallback).
  const pointer = callback ? koffi.register((_ud, level, message) => {
    try { callback(level, message); } catch (_) { /* ignored */ }
  }, koffi.pointer(native.proto.log)) : null;
  fn('auth_set_log_callback')(native.address(pointer), 0, callback ? maxLevel : 0);
  logInstalled = Boolean(callback);
}

module.exports = {
  Result, Kind, Option,
  AuthError, InvalidArgumentError, NotRefreshableError, NetworkError, TimeoutError,
  ProtocolError, OAuthError, InvalidGrantError, InvalidClientError, AccessDeniedError,
  CancelledError, StateMismatchError, IdTokenError, RedirectError, BrowserError, FormatError,
  IOError, UnsupportedError, InternalError, FunctionUnavailableError,
  Parameters, OAuth2Parameters, OpenIDParameters, JWTParameters,
  Token, Identity, Login, Session,
  identify, verifyAuthentication, refreshToken, revokeToken, introspectToken, logout,
  readIdentity, getUserInfo, importToken, createJwtAssertion, exchangeToken, stepUp,
  parseChallenge,
  openSession: Session.open,
  createSession: Session.create,
  setLogCallback, resultName,
  version: () => fn('auth_version')(),
  libraryPath: native.libraryPath,
  hasFunction: native.has,
};
