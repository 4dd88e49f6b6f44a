'use strict';
// DPoP, PAR and the options of sender-constrained tokens and authorization requests, against a
// real oidc-provider with DPoP nonces required.
const test = require('node:test');
const assert = require('node:assert/strict');
const a = require('..');
const { startProvider, loginOverHttp, keyPath } = require('./provider');

let provider;
test.before(async () => { provider = await startProvider({ dpopNonce: true }); });
test.after(() => provider.stop());

const needs = (...names) => {
  const missing = names.filter((n) => !a.hasFunction(n));
  return missing.length ? { skip: `not in libauthtoken yet: ${missing.join(', ')}` } : {};
};
const DPOP = needs('auth_token_dpop_proof', 'auth_token_dpop_jkt', 'auth_token_authorization_details');
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

test('a DPoP login refreshes with its key and signs proofs for the host', DPOP, async () => {
  const params = new a.OpenIDParameters({
    clientId: 'public-app', configurationUrl: provider.issuer, redirectUrl: 'http://127.0.0.1:9/callback',
    scope: 'openid offline_access', additionalParameters: 'prompt=consent', dpop: 'on',
  });
  const login = await a.Login.begin(params);
  const jkt = new URL(login.url).searchParams.get('dpop_jkt');
  const token = await login.complete(await loginOverHttp(login.url));
  assert.equal(token.tokenType, 'DPoP');
  assert.equal(token.dpopJkt, jkt);
  assert.equal(token.authorizationHeader, `DPoP ${token.value}`);
  const fresh = await token.refresh();
  assert.equal(fresh.dpopJkt, jkt);
  assert.equal(a.Token.deserialize(fresh.serialize()).dpopJkt, jkt);
  assert.equal((await a.getUserInfo(fresh)).subject, 'alice');
  const c = claims(fresh.dpopProof('DELETE', 'https://api.example/x?y=1#z', 'n-1'));
  assert.deepEqual([c.htm, c.htu, c.nonce], ['DELETE', 'https://api.example/x', 'n-1']);
  assert.ok(c.ath && c.jti && c.iat);
  assert.equal(claims(fresh.dpopProof('GET', 'https://api.example/')).nonce, undefined);
  assert.throws(() => fresh.dpopProof('GET', 'nope'), (e) => e.code === a.Result.INVALID_ARGUMENT);
});

test('a token that is not DPoP-bound has no key or proofs', DPOP, () => {
  const token = a.importToken('{"access_token":"plain"}');
  assert.equal(token.dpopJkt, '');
  assert.equal(token.authorizationDetails, null);
  assert.throws(() => token.dpopProof('GET', 'https://api.example/'), (e) => e.code === a.Result.INVALID_ARGUMENT);
});

test('pushed requests, and the options checked when set', DPOP, async () => {
  const params = new a.OpenIDParameters({
    clientId: 'par-app', configurationUrl: provider.issuer, redirectUrl: 'http://127.0.0.1:9/callback', par: 'on',
  });
  const login = await a.Login.begin(params);
  assert.deepEqual([...new URL(login.url).searchParams.keys()], ['client_id', 'request_uri']);
  const p = new a.OAuth2Parameters({
    resource: 'https://api.example/', authorizationDetails: '[{"type":"account_information"}]',
    requestObject: 'signed', profile: 'fapi2', dpopKey: keyPath('client-ec.pem'), parUrl: 'https://idp.example/par',
  });
  assert.equal(p.dpopKey, undefined, 'write-only: the key stays in the library');
  for (const [name, value] of [['resource', 'x#y'], ['authorizationDetails', '{}'], ['dpop', 'maybe'],
    ['dpopKey', keyPath('test-ca.pem')]]) {
    assert.throws(() => { p[name] = value; }, (e) => e.code === a.Result.INVALID_ARGUMENT, name);
  }
});
