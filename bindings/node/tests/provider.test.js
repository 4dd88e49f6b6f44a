'use strict';
// Against a real oidc-provider: identity, refresh, revocation, introspection, logins.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const a = require('..');
const { startProvider, loginOverHttp, userInBrowser, userOnDevice, firstTokenJson, keyPath } = require('./provider');

const SCOPE = 'openid profile email offline_access';
let provider;
test.before(async () => { provider = await startProvider(); });
test.after(() => provider.stop());

function publicParams(extra = {}) {
  return new a.OpenIDParameters({
    clientId: 'public-app', configurationUrl: provider.issuer, scope: SCOPE,
    redirectUrl: 'http://127.0.0.1:0/callback', loginTimeout: 30, httpTimeout: 10, ...extra,
  });
}

async function importedToken(clientId = 'public-app', secret = '') {
  const params = clientId === 'public-app' ? publicParams()
    : new a.OpenIDParameters({ clientId, clientSecret: secret, configurationUrl: provider.issuer, scope: SCOPE });
  return a.importToken(await firstTokenJson(provider, clientId, secret), params);
}

test('read the identity of an imported token', async () => {
  const token = await importedToken();
  assert.ok(token.isValid && token.refreshToken && token.idToken.split('.').length === 3);
  const me = await a.readIdentity(token);
  assert.ok(me.isValid);
  assert.equal(me.subject, 'alice');
  assert.equal(me.email, 'alice@example.com');
  assert.deepEqual([me.firstName, me.lastName, me.name], ['Test', 'alice', 'Test alice']);
  assert.equal(me.claim('email_verified'), 'true');
  assert.equal(me.claim('no_such_claim'), null);
  assert.equal(me.claims.sub, 'alice');
  const info = await a.getUserInfo(token);
  assert.equal(info.subject, 'alice');
  assert.equal(info.idToken, '');
});

test('userinfo refuses a bad access token with the OAuth error and status', async () => {
  const p = new a.OAuth2Parameters({ clientId: 'public-app', userinfoUrl: `${provider.issuer}/me` });
  const bogus = a.importToken({ access_token: 'not-a-real-token' }, p);
  await assert.rejects(a.getUserInfo(bogus), (e) =>
    e instanceof a.OAuthError && e.oauthError === 'invalid_token' && e.httpStatus === 401);
});

test('refresh keeps the old token and rotates', async () => {
  const token = await importedToken();
  const fresh = await a.refreshToken(token);
  assert.notEqual(fresh.value, token.value);
  assert.ok(fresh.refreshToken && fresh.refreshToken !== token.refreshToken);
  const again = await a.Token.deserialize(fresh.serialize()).refresh();
  assert.ok(again.isValid);
  await assert.rejects(a.refreshToken(token), (e) =>
    e instanceof a.InvalidGrantError && e.oauthError === 'invalid_grant' && e.httpStatus === 400);
  await assert.rejects(a.refreshToken(a.importToken({ access_token: 'x' })), a.NotRefreshableError);
});

test('parallel calls run off the main thread', async () => {
  const tokens = await Promise.all([importedToken(), importedToken(), importedToken()]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const fresh = await Promise.all(tokens.map((t) => a.refreshToken(t)));
  clearInterval(timer);
  assert.equal(new Set(fresh.map((t) => t.value)).size, 3);
  assert.ok(ticks >= 0); // the event loop kept running (no assertion on speed)
});

test('introspect then revoke', async () => {
  const token = await importedToken('conf-post', 'post-secret-123');
  assert.equal((await a.introspectToken(token)).active, true);
  await a.revokeToken(token);
  assert.equal((await a.introspectToken(token)).active, false);
});

test('client credentials', async () => {
  const p = new a.OAuth2Parameters({
    clientId: 'service', clientSecret: 'service-secret-123', tokenUrl: provider.tokenEndpoint,
    flow: 'client_credentials', scope: 'api:read',
  });
  const token = await a.identify(p);
  assert.ok(token.isValid);
  assert.equal(token.scope, 'api:read');
  assert.equal(token.refreshToken, '');
  p.clientSecret = 'wrong';
  await assert.rejects(a.identify(p), (e) =>
    e instanceof a.InvalidClientError && e.oauthError === 'invalid_client' && e.httpStatus === 401);
});

test('JWT bearer grant', async () => {
  const p = new a.JWTParameters({
    clientId: 'jwt-service', tokenUrl: provider.tokenEndpoint, jwtPrivateKey: keyPath('client-rsa.pem'),
    jwtKeyId: 'client-rsa', jwtSubject: 'robot', scope: 'api:read',
  });
  assert.equal(a.createJwtAssertion(p).split('.').length, 3);
  const token = await a.identify(p);
  assert.equal(token.scope, 'api:read');
});

test('full login with the user played over HTTP', async () => {
  const user = userInBrowser('alice');
  const params = publicParams({ openUrl: user });
  const token = await a.identify(params);
  await user.settled();
  assert.equal(user.urls.length, 1);
  const q = new URL(user.urls[0]).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.ok(q.get('state') && q.get('nonce'));
  assert.ok(token.isValid && token.refreshToken);
  assert.equal((await a.readIdentity(token)).subject, 'alice');
});

test('an open-URL callback that refuses or throws cancels', async () => {
  await assert.rejects(a.identify(publicParams({ openUrl: () => false })), a.CancelledError);
  const boom = new Error('no browser here');
  await assert.rejects(a.identify(publicParams({ openUrl: () => { throw boom; } })), (e) =>
    e instanceof a.CancelledError && e.cause === boom);
});

test('cancel from the main thread while identify waits', async () => {
  const params = publicParams();
  params.setOpenUrl(() => { setTimeout(() => params.cancel(), 200); });
  await assert.rejects(a.identify(params), (e) => e instanceof a.CancelledError && e.code === 10);
});

test('two-step login', async () => {
  const params = publicParams({ redirectUrl: 'http://127.0.0.1:9/callback' });
  const login = await a.Login.begin(params);
  const redirect = await loginOverHttp(login.url);
  await assert.rejects(login.complete(redirect.replace('state=', 'state=x')), a.StateMismatchError);
  const token = await login.complete(redirect);
  assert.ok(token.isValid && token.idToken);
  login.free();
});

// The WLanguage AuthRefreshToken example (see README.md), as an application would write it.
async function seed(file, openUrl) {
  const params = new a.OpenIDParameters({
    clientId: 'public-app', configurationUrl: provider.issuer, scope: SCOPE,
    redirectUrl: 'http://127.0.0.1:0/callback', openUrl, loginTimeout: 30,
  });
  let token = null;
  if (fs.existsSync(file)) {
    try {
      token = a.Token.load(file);
      if (token.expiresWithin(60) && token.refreshToken) {
        token = await a.refreshToken(token);
        token.save(file);
      }
    } catch (e) {
      if (!(e instanceof a.AuthError)) throw e;
      console.log('Saved session is invalid:', e.message);
    }
  }
  if (!token || !token.isValid) {
    token = await a.identify(params);
    token.save(file);
  }
  const identity = await a.readIdentity(token);
  return `Connection OK: ${identity.source}`;
}

test('the seed example: login, reuse, refresh', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'AuthSession.bin');
  const user = userInBrowser('alice');
  const first = await seed(file, user);
  assert.equal(user.urls.length, 1);
  assert.match(first, /"sub":"alice"/);
  assert.equal(await seed(file, user), first);
  assert.equal(user.urls.length, 1);
  const before = (await provider.stats()).refresh;
  const saved = a.Token.load(file);
  const soon = a.importToken({ ...JSON.parse(saved.serverResponse), expires_in: 30 },
    new a.OpenIDParameters({ clientId: 'public-app', configurationUrl: provider.issuer }));
  soon.save(file);
  await seed(file, user);
  assert.equal((await provider.stats()).refresh, before + 1);
  assert.equal(user.urls.length, 1);
  await user.settled();
  fs.rmSync(dir, { recursive: true });
});

test('session keeps a token fresh', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'session.bin');
  const user = userInBrowser('alice');
  const changed = [];
  const session = await a.Session.create(publicParams({ openUrl: user }), file, { onTokenChanged: (t) => changed.push(t) });
  const token = await session.token(60);
  assert.ok(token.isValid && fs.existsSync(file));
  assert.equal(changed.length, 1);
  assert.equal(changed[0].value, token.value);
  assert.equal((await session.token(60)).value, token.value);
  const longer = await session.token(7200);
  assert.notEqual(longer.value, token.value);
  assert.equal(user.urls.length, 1);
  assert.equal(changed.length, 2);
  await session.logout();
  assert.ok(!fs.existsSync(file));
  session.free();
  await user.settled();
  fs.rmSync(dir, { recursive: true });
});

test('with a log callback, calls still run off the main thread and lines arrive', async () => {
  const lines = [];
  a.setLogCallback((level, message) => lines.push([level, message]), 4);
  try {
    const token = await importedToken();
    const fresh = await a.refreshToken(token);
    assert.ok(fresh.isValid);
    await assert.rejects(a.refreshToken(token), (e) => e instanceof a.InvalidGrantError && e.code === 7);
  } finally {
    a.setLogCallback(null);
  }
  assert.ok(lines.length > 0, 'no log line');
  for (const [level, message] of lines) assert.ok(level >= 1 && level <= 4 && typeof message === 'string');
  assert.ok(lines.some(([, m]) => m.includes('/token')), JSON.stringify(lines.slice(0, 5)));
  assert.ok(!lines.some(([, m]) => m.includes('post-secret-123')));
});

test('device flow with the user on another device', async () => {
  const user = userOnDevice('bob');
  const params = new a.OpenIDParameters({
    clientId: 'public-app', configurationUrl: provider.issuer, scope: 'openid profile',
    flow: 'device', loginTimeout: 60, devicePrompt: user,
  });
  const token = await a.identify(params);
  await user.settled();
  assert.equal(user.prompts.length, 1);
  const p = user.prompts[0];
  assert.ok(p.userCode && p.verificationUri.startsWith(provider.issuer));
  assert.ok(p.verificationUriComplete.includes(p.userCode) && p.expiresIn > 0);
  assert.equal((await a.readIdentity(token)).subject, 'bob');
});

test('silent login needs the user', async () => {
  const user = userInBrowser('alice');
  await assert.rejects(a.verifyAuthentication(publicParams({ openUrl: user })), (e) =>
    e instanceof a.AccessDeniedError && ['login_required', 'consent_required', 'interaction_required'].includes(e.oauthError));
  await user.settled();
  assert.match(user.urls[0], /prompt=none/);
});

test('openSession logs in once, then reuses the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-'));
  const file = path.join(dir, 'open.bin');
  const user = userInBrowser('alice');
  const params = publicParams({ openUrl: user });
  const first = await a.openSession(params, file);
  const again = await a.openSession(params, file);
  await user.settled();
  assert.equal(user.urls.length, 1);
  assert.equal(first.value, again.value);
  assert.ok(fs.existsSync(file));
  fs.rmSync(dir, { recursive: true });
});

test('logout in the browser', async () => {
  const user = userInBrowser('alice');
  const params = publicParams({ openUrl: user });
  const token = await a.identify(params);
  await a.logout(token, params);
  await user.settled();
  assert.equal(user.urls.length, 2);
  const end = new URL(user.urls[1]);
  assert.ok(end.pathname.endsWith('/session/end'));
  assert.equal(end.searchParams.get('id_token_hint'), token.idToken);
  assert.match(end.searchParams.get('post_logout_redirect_uri'), /^http:\/\/127\.0\.0\.1:/);
});

test('with a log callback, a login with the user still works', async () => {
  const lines = [];
  a.setLogCallback((level, message) => lines.push([level, message]), 4);
  try {
    const user = userInBrowser('alice');
    const token = await a.identify(publicParams({ openUrl: user }));
    await user.settled();
    assert.equal(user.urls.length, 1);
    assert.ok(token.isValid);
    await assert.rejects(a.identify(publicParams({ openUrl: () => false })), a.CancelledError);
  } finally {
    a.setLogCallback(null);
  }
  assert.ok(lines.some(([, m]) => m.includes('/token')));
});
