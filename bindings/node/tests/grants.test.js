'use strict';
// Token exchange, CIBA, step-up and challenges against a real oidc-provider with the
// token-exchange grant, CIBA (interval 1 s) and two acr values.
const test = require('node:test');
const assert = require('node:assert/strict');
const a = require('..');
const { startProvider, userInBrowser, firstTokenJson, answerCiba } = require('./provider');

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const STEP_UP = 'Bearer realm="api", error="insufficient_user_authentication", ';

let provider;
test.before(async () => {
  provider = await startProvider({
    tokenExchange: true, ciba: { interval: 1 }, acrValues: ['urn:test:loa:1', 'urn:test:loa:2'],
  });
});
test.after(() => provider.stop());

test('parseChallenge', () => {
  assert.deepEqual(a.parseChallenge(`${STEP_UP}acr_values="gold", Max_Age=5, Basic abc==`), [
    { scheme: 'Bearer', params: { realm: 'api', error: 'insufficient_user_authentication', acr_values: 'gold', max_age: '5' } },
    { scheme: 'Basic', token68: 'abc==' },
  ]);
  assert.throws(() => a.parseChallenge('realm="x"'), a.InvalidArgumentError);
});

test('exchangeToken, then refresh', async () => {
  const subject = JSON.parse(await firstTokenJson(provider, 'conf-post', 'post-secret-123', 'openid api:read'));
  const p = new a.OAuth2Parameters({
    clientId: 'exchanger', clientSecret: 'exchanger-secret-123', clientAuth: 'basic',
    tokenUrl: provider.tokenEndpoint, scope: 'api:read offline_access', audience: 'billing',
  });
  const token = await a.exchangeToken(p, subject.access_token);
  assert.equal(token.issuedTokenType, ACCESS_TOKEN_TYPE);
  assert.ok(token.refreshToken);
  const fresh = await a.Token.deserialize(token.serialize()).refresh();
  assert.equal(fresh.issuedTokenType, ACCESS_TOKEN_TYPE);
  await assert.rejects(a.exchangeToken(p, 'not-a-token', ACCESS_TOKEN_TYPE),
    (e) => e instanceof a.InvalidGrantError && e.oauthError === 'invalid_grant');
});

test('CIBA: approved, then refused, on the device', async () => {
  const p = new a.OpenIDParameters({
    clientId: 'ciba-app', clientSecret: 'ciba-secret-123', clientAuth: 'basic',
    configurationUrl: provider.issuer, flow: 'ciba', loginHint: 'node-user', bindingMessage: 'NODE-1',
    loginTimeout: 30,
  });
  const login = a.identify(p);
  assert.equal((await answerCiba(provider, 'node-user')).binding_message, 'NODE-1');
  const token = await login;
  assert.equal((await a.readIdentity(token)).subject, 'node-user');
  const refused = a.identify(p);
  await answerCiba(provider, 'node-user', 'deny');
  await assert.rejects(refused, (e) => e instanceof a.AccessDeniedError && e.oauthError === 'access_denied');
});

test('stepUp in the browser', async () => {
  const user = userInBrowser();
  const p = new a.OpenIDParameters({
    clientId: 'conf-post', clientSecret: 'post-secret-123', configurationUrl: provider.issuer,
    redirectUrl: 'http://127.0.0.1:0/callback', loginTimeout: 30, openUrl: user,
  });
  const token = await a.stepUp(p, `${STEP_UP}acr_values="urn:test:loa:2", max_age=60`);
  await user.settled();
  const url = new URL(user.urls[0]);
  assert.equal(url.searchParams.get('acr_values'), 'urn:test:loa:2');
  assert.equal(url.searchParams.get('max_age'), '60');
  assert.equal((await a.readIdentity(token)).claim('acr'), 'urn:test:loa:2');
  await assert.rejects(a.stepUp(p, `${STEP_UP}acr_values="urn:test:loa:3"`), a.IdTokenError);
  await user.settled();
  await assert.rejects(a.stepUp(p, 'Bearer error="invalid_token"'), a.InvalidArgumentError);
});
