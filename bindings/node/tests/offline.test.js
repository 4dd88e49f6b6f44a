'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const a = require('..');

test('version and result names', () => {
  assert.match(a.version(), /^\d+\.\d+\.\d+/);
  assert.equal(a.resultName(a.Result.INVALID_GRANT), 'AUTH_ERROR_INVALID_GRANT');
  assert.equal(a.resultName(12345), 'AUTH_ERROR_UNKNOWN');
  assert.equal(a.IdTokenError.code, 12);
});

test('the tables (tables.js, from the header) are the library\'s', () => {
  // Every option number the loaded library accepts, and no other, is an Option with its property.
  const native = require('../native');
  const p = new a.OpenIDParameters();
  const accepted = [];
  for (let n = 0; n < 200; n++) if (native.fn('auth_params_set')(p.handle, n, null) === 0) accepted.push(n);
  assert.deepEqual(accepted, Object.values(a.Option).sort((x, y) => x - y));
  for (const name of Object.keys(a.Option)) p[name] = null; // a property for each: resets it
  p.free();
  for (const [name, code] of Object.entries(a.Result)) {
    assert.equal(a.resultName(code), code === 0 ? 'AUTH_OK' : `AUTH_ERROR_${name}`);
  }
  for (const code of Object.values(a.Result).filter((c) => c !== 0)) {
    const cls = Object.values(a).find((v) => typeof v === 'function' && v.code === code);
    assert.ok(cls && cls.prototype instanceof a.AuthError, `an error class for ${code}`);
  }
});

test('parameters are validated when set', () => {
  const p = new a.OAuth2Parameters({ clientId: 'c', authUrl: 'https://id.example.com/auth' });
  assert.equal(p.clientId, 'c');
  assert.throws(() => { p.tokenUrl = 'http://id.example.com/token'; }, (e) =>
    e instanceof a.InvalidArgumentError && e instanceof a.AuthError && e.code === 1 && /http/.test(e.message));
  p.tokenUrl = 'http://127.0.0.1:8080/token';
  assert.equal(p.tokenUrl, 'http://127.0.0.1:8080/token');
  p.tokenUrl = null;
  assert.equal(p.tokenUrl, undefined);
  assert.throws(() => { p.pkce = 'md5'; }, a.InvalidArgumentError);
  p.loginTimeout = 30;
  assert.equal(p.loginTimeout, 30);
  assert.throws(() => new a.OpenIDParameters({ clientIdd: 'x' }), TypeError);
  const s = new a.OpenIDParameters({ clientSecret: 's3cret' });
  assert.equal(s.clientSecret, undefined);
  p.free();
  p.free(); // twice is fine
  assert.throws(() => p.clientId = 'x', /freed/);
});

test('import, errors and persistence', () => {
  const t = a.importToken('{"access_token":"abc","token_type":"Bearer","expires_in":3600,"refresh_token":"r1","scope":"a b"}');
  assert.equal(t.value, 'abc');
  assert.equal(t.refreshToken, 'r1');
  assert.equal(t.authorizationHeader, 'Bearer abc');
  assert.equal(t.scope, 'a b');
  assert.ok(t.isValid && t.expiresWithin(4000) && !t.expiresWithin(60));
  assert.ok(t.expiration instanceof Date);
  const noExp = a.importToken({ access_token: 'x' });
  assert.equal(noExp.expiration, null);
  assert.ok(noExp.isValid);
  assert.throws(() => a.importToken({ error: 'invalid_grant' }), (e) =>
    e instanceof a.InvalidGrantError && e.oauthError === 'invalid_grant' && e.code === 7);
  assert.throws(() => a.importToken({ error: 'access_denied' }), a.AccessDeniedError);
  assert.throws(() => a.importToken('not json'), a.ProtocolError);

  const bytes = t.serialize();
  assert.ok(Buffer.isBuffer(bytes) && bytes.length > 14);
  const again = a.Token.deserialize(bytes);
  assert.deepEqual([again.value, again.refreshToken, again.expirationTimestamp], ['abc', 'r1', t.expirationTimestamp]);
  assert.throws(() => a.Token.deserialize(bytes.subarray(0, bytes.length - 3)), a.FormatError);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'sub', 'AuthSession.bin');
  t.save(file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(a.Token.load(file).refreshToken, 'r1');
  assert.throws(() => a.Token.load(path.join(dir, 'missing.bin')), (e) => e instanceof a.IOError && e.code === a.Result.IO);
  fs.rmSync(dir, { recursive: true });
});

test('jwt parameters read a key file', () => {
  const key = path.resolve(__dirname, '..', '..', '..', 'tests', 'provider', 'keys', 'client-rsa.pem');
  const p = new a.JWTParameters({ clientId: 'jwt-service', jwtPrivateKey: key, jwtKeyId: 'client-rsa' });
  assert.equal(p.jwtPrivateKey, undefined);
  assert.throws(() => p.set('jwtPrivateKey', '/nonexistent/key.pem'), a.AuthError);
});

test('log callback can be installed and removed', () => {
  const lines = [];
  a.setLogCallback((level, message) => lines.push([level, message]), 4);
  assert.throws(() => a.importToken('{}'), a.ProtocolError);
  a.setLogCallback(null);
  for (const [level, message] of lines) assert.ok(level >= 1 && level <= 4 && typeof message === 'string');
});

// A session whose token no endpoint can revoke (OAuth 2.0 parameters with none set), logged
// out in a fresh process with nothing set up: the warning is a process warning on stderr.
const logoutScript = (file) => `
const a = require(${JSON.stringify(path.resolve(__dirname, '..'))});
(async () => {
  const params = new a.OAuth2Parameters({ clientId: 'c' });
  a.importToken({ access_token: 'a', refresh_token: 'r' }, params).save(${JSON.stringify(file)});
  const session = await a.Session.create(params, ${JSON.stringify(file)});
  await session.logout();
  session.free();
})();`;

test('a logout that revokes nothing is a process warning by default', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'session.token');
  const run = require('node:child_process').spawnSync(process.execPath, ['-e', logoutScript(file)], {
    encoding: 'utf8', timeout: 60000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(!fs.existsSync(file));
  const lines = run.stderr.split('\n').filter((l) => l.includes('AuthtokenWarning'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /grant is still live at the provider/);
  assert.match(lines[0], /set AUTH_OPT_REVOCATION_URL or AUTH_OPT_CONFIGURATION_URL/);
  fs.rmSync(dir, { recursive: true });
});

test('with a log callback, the warning of a call on a worker reaches it, and errors keep their details', async () => {
  const lines = [];
  a.setLogCallback((level, message) => lines.push([level, message]), 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'session.token');
  try {
    const params = new a.OAuth2Parameters({ clientId: 'c' });
    const token = a.importToken({ access_token: 'a', refresh_token: 'r' }, params);
    token.save(file);
    const session = await a.Session.create(params, file);
    await session.logout();
    session.free();
    // Runs on a worker: its error details are read on that thread, not lost to the log.
    await assert.rejects(a.revokeToken(token), (e) => e instanceof a.UnsupportedError && /no revocation endpoint is known/.test(e.message));
  } finally {
    a.setLogCallback(null);
    fs.rmSync(dir, { recursive: true });
  }
  assert.deepEqual(lines.map(([level]) => level), [2], JSON.stringify(lines));
  assert.match(lines[0][1], /grant is still live/);
});
