// A real oidc-provider 9 on 127.0.0.1 for the authtoken tests.
//
//   node tests/provider/server.mjs ['{"rotateRefreshToken":false,"accessTokenTTL":5}']
//
// Configuration: a JSON object as the first argument, or in AUTHTOKEN_TEST_PROVIDER (the
// argument wins). Keys (all optional):
//   port                 listening port (default 0: a free port)
//   rotateRefreshToken   true (default): a new refresh token on every refresh, reuse of an old
//                        one is invalid_grant and revokes the grant; false: the same value back
//   accessTokenTTL       seconds (default 3600), also for client-credentials tokens
//   refreshTokenTTL      seconds (default 14 days)
//   issueRefreshToken    true (default): every code grant of a client allowed the
//                        refresh_token grant gets one, offline_access or not
//   extraClients         client metadata objects added to the built-in ones
//   dpopNonce            true: DPoP proofs must carry a server nonce (use_dpop_nonce +
//                        DPoP-Nonce at the token and userinfo endpoints, RFC 9449 §8, §9)
//   requirePar           true: every authorization request must be pushed (discovery says
//                        require_pushed_authorization_requests)
//   requestObjects       true: signed request objects (RFC 9101) are accepted
//   resourceServers      {"<resource URI>": {"scope": "a b", "accessTokenFormat": "opaque"|"jwt"}}:
//                        the APIs of RFC 8707 resource indicators (default: none, any
//                        resource is invalid_target)
//   rar                  true: RFC 9396 authorization details of types "payment_initiation"
//                        (needs an object instructedAmount) and "account_information", allowed
//                        to every client with redirect URIs
//   fapi                 true: the FAPI 2.0 profile for the clients whose id starts with "fapi-"
//   mtls                 true: a second, TLS listener (keys/mtls-server.pem, asks for a client
//                        certificate of keys/test-ca.pem) serving the same provider, advertised
//                        as the mtls_endpoint_aliases of discovery (RFC 8705 §5); tls_client_auth
//                        and certificate-bound access tokens; the client "mtls-app". The ready
//                        line then also has "mtls_port".
//   tokenExchange        true: the RFC 8693 token-exchange grant (below) and its client
//                        `exchanger`; or an object {"audiences":[...], "omitIssuedTokenType":true}
//   ciba                 true: OpenID CIBA in poll mode (features.ciba, hooks below) and its
//                        client `ciba-app`; or an object {"interval": seconds added to the
//                        authentication answer (oidc-provider sends none: the client's default
//                        of 5 s applies)}
//   acrValues            the acr values the provider supports, lowest first: a login gets the
//                        first requested one it supports, else the lowest (the devInteractions
//                        login states no acr of its own)
//   revocation           true (default); false: no revocation endpoint (RFC 7009) at all
//   deviceInterval       seconds between the device flow's polls, sent as `interval` in the
//                        device authorization answer (default 1: a device login in the tests
//                        ends within a second of the approval; oidc-provider sends none, which
//                        means RFC 8628's 5 s, covered by the library's unit tests); 0: none
//
// When it listens it prints ONE line of JSON to stdout:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
// and runs until killed or until its stdin closes (so it dies with the test that spawned it).
//
// Clients (secrets avoid '%', '+', ':' on purpose, see the reference notes):
//   conf-post    client_secret_post   secret "post-secret-123"
//   conf-basic   client_secret_basic  secret "basic-secret-123"
//   public-app   none (public, native; PKCE required)
//   pkjwt-rsa    private_key_jwt, key keys/client-rsa.pem (kid client-rsa, RS256/PS256);
//                also allowed client_credentials
//   pkjwt-ec     private_key_jwt, key keys/client-ec.pem  (kid client-ec, ES256); also
//                client_credentials
//   service      client_credentials only, client_secret_basic or _post, "service-secret-123",
//                scopes api:read api:write
//   jwt-service  RFC 7523 JWT bearer grant only (no client authentication: the assertion is
//                the proof), keys client-rsa and client-ec
//   par-app      public, native, require_pushed_authorization_requests (client metadata)
//   fapi-app     private_key_jwt with client-ec (ES256), PAR required, DPoP-bound tokens, ID
//                tokens PS256; under the FAPI 2.0 profile when "fapi" is on; also
//                client_credentials
//   mtls-app     (with "mtls") tls_client_auth with the subject of keys/client-cert.pem,
//                certificate-bound access tokens, ID tokens PS256; also client_credentials
//   exchanger    (tokenExchange) token exchange and refresh_token, client_secret_basic
//                "exchanger-secret-123"
//   ciba-app     (ciba) the CIBA grant and refresh_token, client_secret_basic
//                "ciba-secret-123", poll mode
// Every client with redirect URIs is `native`, so any port on http://127.0.0.1/callback,
// http://localhost/callback and http://[::1]/callback is accepted (the path must match).
//
// Users: any login/password on the devInteractions pages; the login becomes `sub`, and the
// claims are given_name "Test", family_name <login>, name "Test <login>",
// email "<login>@example.com", email_verified true.
//
// Test helpers:
//   GET /test/stats          {"token":{"<grant_type>":{"ok":n,"error":n}},"refresh":n,...}
//   GET /test/stats?reset=1  the same, then counts restart from zero
//   GET  /test/ciba/pending[?account=LOGIN][&wait=1]  the CIBA requests waiting for the user
//                            (wait: until there is one, at most 10 s): [{"auth_req_id",
//                            "account","binding_message","acr_values","scope"}]
//   POST /test/ciba/approve?auth_req_id=ID[&acr=ACR]   the user approves (acr: as a login)
//   POST /test/ciba/deny?auth_req_id=ID                the user refuses (access_denied)
//   GET  /test/ciba/polls[?auth_req_id=ID[&count=N]]  the CIBA token requests (of one request):
//                            [{"auth_req_id","ms","status","error"}], ms counted from the
//                            authentication request's answer; count: wait (at most 10 s) until
//                            there are N
//   GET  /test/exchange/last what the last token exchange received and decided
// Every token-endpoint request is also logged to stderr:
//   token grant_type=refresh_token client=public-app status=200
//
// Token exchange (tokenExchange): the subject token must be a valid access token of this
// provider (subject_token_type access_token), the actor token likewise when given; the scope
// asked for must be within the subject token's (offline_access aside, which adds a refresh
// token); each audience must be one of `audiences` (default https://api.example and billing),
// else invalid_target. The new access token's introspection shows `act` and `audience`.
// CIBA (ciba): login_hint "<login>" or "<login>@domain" names the user <login>; a hint that
// starts with "unknown" names nobody (unknown_user_id). The user approves or refuses through
// /test/ciba/*; `requested_expiry` bounds the request's lifetime (default 600 s).

import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createPublicKey, createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider, { errors } from 'oidc-provider';
import { createLocalJWKSet, jwtVerify } from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function readConfig() {
  const text = process.argv[2] || process.env.AUTHTOKEN_TEST_PROVIDER || '{}';
  try {
    const cfg = JSON.parse(text);
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new Error('not an object');
    return cfg;
  } catch (e) {
    console.error(`server.mjs: the configuration is not a JSON object (${e.message}): ${text}`);
    process.exit(2);
  }
}

const cfg = readConfig();
const rotate = cfg.rotateRefreshToken ?? true;
const accessTokenTTL = Number(cfg.accessTokenTTL ?? 3600);
const refreshTokenTTL = Number(cfg.refreshTokenTTL ?? 14 * 24 * 3600);
const issueRefreshTokenAlways = cfg.issueRefreshToken ?? true;
const exchangeCfg = cfg.tokenExchange ? { ...(cfg.tokenExchange === true ? {} : cfg.tokenExchange) } : null;
const cibaCfg = cfg.ciba ? { ...(cfg.ciba === true ? {} : cfg.ciba) } : null;
const acrValues = cfg.acrValues || [];
const revocation = cfg.revocation ?? true;
const deviceInterval = Number(cfg.deviceInterval ?? 1);

// ---------------------------------------------------------------- keys
function publicJwk(file, kid, alg) {
  const pem = readFileSync(join(here, 'keys', file), 'utf8');
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  return { ...jwk, kid, use: 'sig', ...(alg ? { alg } : {}) };
}
const clientRsa = publicJwk('client-rsa.pem', 'client-rsa');
const clientEc = publicJwk('client-ec.pem', 'client-ec');
const providerSigning = {
  ...createPrivateKey(readFileSync(join(here, 'keys', 'provider-signing-rsa.pem'), 'utf8')).export({ format: 'jwk' }),
  kid: 'provider-rsa',
  use: 'sig',
};

// ---------------------------------------------------------------- storage
// A Map per model. The built-in adapter is a 1000-entry LRU that silently loses tokens.
const stores = new Map();
function store(name) {
  if (!stores.has(name)) stores.set(name, new Map());
  return stores.get(name);
}
const grantIndex = new Map(); // grantId -> Set of [model, id]
const now = () => Math.floor(Date.now() / 1000);

class MemoryAdapter {
  constructor(name) {
    this.name = name;
    this.items = store(name);
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? now() + expiresIn : undefined;
    this.items.set(id, { payload: structuredClone(payload), expiresAt });
    if (payload.grantId) {
      if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
      grantIndex.get(payload.grantId).add(`${this.name}\u0000${id}`);
    }
  }

  async find(id) {
    const item = this.items.get(id);
    if (!item) return undefined;
    if (item.expiresAt !== undefined && item.expiresAt <= now()) {
      this.items.delete(id);
      return undefined;
    }
    return structuredClone(item.payload);
  }

  async findByUserCode(userCode) {
    for (const [id, item] of this.items) {
      if (item.payload.userCode === userCode) return this.find(id);
    }
    return undefined;
  }

  async findByUid(uid) {
    for (const [id, item] of this.items) {
      if (item.payload.uid === uid) return this.find(id);
    }
    return undefined;
  }

  async consume(id) {
    const item = this.items.get(id);
    if (item) item.payload.consumed = now();
  }

  async destroy(id) {
    this.items.delete(id);
  }

  async revokeByGrantId(grantId) {
    const members = grantIndex.get(grantId);
    if (!members) return;
    for (const key of members) {
      const [model, id] = key.split('\u0000');
      store(model).delete(id);
    }
    grantIndex.delete(grantId);
  }
}

// ---------------------------------------------------------------- clients
const loopbackRedirects = [
  'http://127.0.0.1/callback',
  'http://localhost/callback',
  'http://[::1]/callback',
];
const codeGrants = ['authorization_code', 'refresh_token', DEVICE_CODE];
const interactive = {
  application_type: 'native',
  redirect_uris: loopbackRedirects,
  post_logout_redirect_uris: loopbackRedirects,
  grant_types: codeGrants,
  response_types: ['code'],
  ...(cfg.rar ? { authorization_details_types: ['payment_initiation', 'account_information'] } : {}),
};

const clients = [
  {
    ...interactive,
    client_id: 'conf-post',
    client_secret: 'post-secret-123',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    ...interactive,
    client_id: 'conf-basic',
    client_secret: 'basic-secret-123',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...interactive,
    client_id: 'public-app',
    token_endpoint_auth_method: 'none',
  },
  {
    ...interactive,
    client_id: 'pkjwt-rsa',
    grant_types: [...codeGrants, 'client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [clientRsa] },
  },
  {
    ...interactive,
    client_id: 'pkjwt-ec',
    grant_types: [...codeGrants, 'client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [clientEc] },
  },
  {
    client_id: 'service',
    client_secret: 'service-secret-123',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api:read api:write',
  },
  {
    client_id: 'jwt-service',
    token_endpoint_auth_method: 'none',
    grant_types: [JWT_BEARER],
    response_types: [],
    redirect_uris: [],
    scope: 'openid profile email api:read api:write',
    jwks: { keys: [clientRsa, clientEc] },
  },
  {
    ...interactive,
    client_id: 'par-app',
    token_endpoint_auth_method: 'none',
    require_pushed_authorization_requests: true,
  },
  {
    ...interactive,
    client_id: 'fapi-app',
    grant_types: [...codeGrants, 'client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    require_pushed_authorization_requests: true,
    dpop_bound_access_tokens: true,
    id_token_signed_response_alg: 'PS256',
    jwks: { keys: [clientEc] },
  },
  ...(cfg.mtls ? [{
    ...interactive,
    client_id: 'mtls-app',
    grant_types: [...codeGrants, 'client_credentials'],
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: 'CN=authtoken-test-client',
    tls_client_certificate_bound_access_tokens: true,
    id_token_signed_response_alg: 'PS256',
    scope: 'openid offline_access profile email api:read api:write',
  }] : []),
  ...(exchangeCfg ? [{
    client_id: 'exchanger',
    client_secret: 'exchanger-secret-123',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [TOKEN_EXCHANGE, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  }] : []),
  ...(cibaCfg ? [{
    client_id: 'ciba-app',
    client_secret: 'ciba-secret-123',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [CIBA_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    backchannel_token_delivery_mode: 'poll',
  }] : []),
  ...(cfg.extraClients || []),
];

// The acr a login gets: the first requested one the provider supports, else its lowest.
function chooseAcr(requested) {
  if (!acrValues.length) return undefined;
  const wanted = (requested || '').split(' ').filter(Boolean);
  return wanted.find((a) => acrValues.includes(a)) ?? acrValues[0];
}

// ---------------------------------------------------------------- accounts
async function findAccount(ctx, sub) {
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        given_name: 'Test',
        family_name: sub,
        name: `Test ${sub}`,
        email: `${sub}@example.com`,
        email_verified: true,
      };
    },
  };
}

// ---------------------------------------------------------------- stats
let stats;
function resetStats() {
  stats = { token: {}, refresh: 0, refresh_ok: 0, refresh_error: 0, revocation: 0, introspection: 0 };
}
resetStats();

// ---------------------------------------------------------------- CIBA
const cibaPending = new Map(); // auth_req_id -> {account, binding_message, acr_values, scope}
const cibaStarted = new Map(); // auth_req_id -> Date.now() when the request was answered
const cibaPolls = [];
let cibaWaiters = [];
let cibaPollWaiters = [];
const cibaFeature = cibaCfg ? {
  enabled: true,
  deliveryModes: ['poll'],
  async processLoginHint(ctx, hint) {
    return hint.startsWith('unknown') ? undefined : hint.split('@')[0];
  },
  async processLoginHintToken() {
    return undefined;
  },
  async verifyUserCode() {},
  async validateRequestContext() {},
  // The "authentication device": the request waits here for /test/ciba/approve or /deny.
  async triggerAuthenticationDevice(ctx, request, account) {
    cibaPending.set(ctx.body.auth_req_id, {
      auth_req_id: ctx.body.auth_req_id,
      account: account.accountId,
      binding_message: request.params.binding_message ?? null,
      acr_values: request.params.acr_values ?? null,
      scope: request.scope,
    });
    const waiters = cibaWaiters;
    cibaWaiters = [];
    waiters.forEach((wake) => wake());
  },
} : { enabled: false };

let lastExchange = null;

// ---------------------------------------------------------------- provider
const httpServer = createServer();
await new Promise((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(Number(cfg.port ?? 0), '127.0.0.1', resolve);
});
const { port } = httpServer.address();
const issuer = `http://127.0.0.1:${port}`;

// RFC 8705: the same provider behind TLS that asks for a client certificate, advertised as the
// mutual-TLS aliases of the back-channel endpoints.
let tlsServer;
let mtlsPort;
if (cfg.mtls) {
  const pem = readFileSync(join(here, 'keys', 'mtls-server.pem'), 'utf8');
  tlsServer = createTlsServer({
    key: pem,
    cert: pem,
    ca: readFileSync(join(here, 'keys', 'test-ca.pem'), 'utf8'),
    requestCert: true,
    // An OAuth error, not a TLS alert, for a client without a certificate.
    rejectUnauthorized: false,
  });
  await new Promise((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(0, '127.0.0.1', resolve);
  });
  mtlsPort = tlsServer.address().port;
}
const mtlsBase = `https://127.0.0.1:${mtlsPort}`;

function peerCertificate(ctx) {
  const socket = ctx.req?.socket;
  const cert = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  return cert?.raw ? new X509Certificate(cert.raw) : undefined;
}

// RFC 8707: the APIs resource indicators may name.
const resourceServers = cfg.resourceServers || {};

// RFC 9396: the authorization details types the tests use.
const rarTypes = {
  payment_initiation: {
    validate(ctx, detail) {
      if (typeof detail.instructedAmount !== 'object' || detail.instructedAmount === null) {
        throw new errors.InvalidAuthorizationDetails('payment_initiation needs an instructedAmount object');
      }
    },
  },
  account_information: { validate() {} },
};
const requestedRar = (ctx) => {
  const text = ctx.oidc.params?.authorization_details;
  return text ? JSON.parse(text) : undefined;
};

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients,
  findAccount,
  jwks: { keys: [providerSigning] },
  cookies: { keys: ['authtoken-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'name'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write'],
  clockTolerance: 0,
  clientAuthMethods: [
    'client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none',
    ...(cfg.mtls ? ['tls_client_auth'] : []),
  ],
  pkce: { required: (ctx, client) => client.clientAuthMethod === 'none' },
  rotateRefreshToken: () => rotate,
  issueRefreshToken: async (ctx, client, code) => {
    if (!client.grantTypeAllowed('refresh_token')) return false;
    return issueRefreshTokenAlways || code.scopes.has('offline_access');
  },
  ttl: {
    AccessToken: accessTokenTTL,
    ClientCredentials: accessTokenTTL,
    RefreshToken: refreshTokenTTL,
    BackchannelAuthenticationRequest: (ctx) => Math.min(600, Number(ctx?.oidc?.params?.requested_expiry) || 600),
  },
  ...(acrValues.length ? { acrValues } : {}),
  // Token exchange puts what it decided in the new access token (introspection shows it).
  extraTokenClaims: async (ctx, token) => token.exchangeClaims,
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: revocation },
    introspection: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
    dPoP: {
      enabled: true,
      ...(cfg.dpopNonce ? { nonceSecret: randomBytes(32), requireNonce: () => true } : {}),
    },
    pushedAuthorizationRequests: {
      enabled: true,
      requirePushedAuthorizationRequests: Boolean(cfg.requirePar),
    },
    requestObjects: { enabled: Boolean(cfg.requestObjects) },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resource) => {
        const info = resourceServers[resource];
        if (!info) throw new errors.InvalidTarget();
        return { accessTokenFormat: 'opaque', ...info };
      },
    },
    richAuthorizationRequests: {
      enabled: Boolean(cfg.rar),
      types: rarTypes,
      authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar ?? requestedRar(ctx),
      authorizationDetailsForAccessToken: (ctx, token, source) => source?.rar ?? requestedRar(ctx),
      authorizationDetailsForIntrospection: (ctx, token) => token.rar,
    },
    fapi: {
      enabled: Boolean(cfg.fapi),
      profile: (ctx, client) => (client?.clientId?.startsWith('fapi-') ? '2.0' : undefined),
    },
    mTLS: {
      enabled: Boolean(cfg.mtls),
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      getCertificate: peerCertificate,
      certificateAuthorized: (ctx) => Boolean(ctx.req?.socket?.authorized),
      certificateSubjectMatches: (ctx, property, expected) => (
        property === 'tls_client_auth_subject_dn' && peerCertificate(ctx)?.subject === expected
      ),
    },
    ciba: cibaFeature,
  },
  ...(cfg.mtls ? {
    discovery: {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsBase}/token`,
        revocation_endpoint: `${mtlsBase}/token/revocation`,
        introspection_endpoint: `${mtlsBase}/token/introspection`,
        userinfo_endpoint: `${mtlsBase}/me`,
        pushed_authorization_request_endpoint: `${mtlsBase}/request`,
      },
    },
  } : {}),
  // The tests run over plain http on loopback.
  enabledJWA: {
    clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'RS384', 'RS512', 'PS384', 'PS512', 'ES384'],
  },
});

// RFC 7523 §2.1: a JWT signed by the client's registered key, exchanged for an access token.
// oidc-provider has no such grant: this is a small, strict one for the tests.
provider.registerGrantType(JWT_BEARER, async (ctx) => {
  const { client } = ctx.oidc;
  const { assertion, scope } = ctx.oidc.params;
  if (!assertion) throw new errors.InvalidRequest('missing assertion');
  if (!client.jwks?.keys?.length) throw new errors.UnauthorizedClient('the client has no registered keys');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      audience: [issuer, `${issuer}/token`],
      issuer: client.clientId,
      clockTolerance: 5,
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (e) {
    console.error(`jwt-bearer: assertion rejected: ${e.message}`);
    throw new errors.InvalidGrant('assertion is invalid');
  }
  const allowed = new Set((client.scope || '').split(' ').filter(Boolean));
  const requested = (scope || '').split(' ').filter(Boolean);
  for (const s of requested) {
    if (!allowed.has(s)) throw new errors.InvalidScope('requested scope is not allowed', s);
  }
  const grant = new provider.Grant({ clientId: client.clientId, accountId: payload.sub });
  if (requested.length) grant.addOIDCScope(requested.join(' '));
  const grantId = await grant.save();
  const token = new provider.AccessToken({
    accountId: payload.sub,
    client,
    grantId,
    gty: 'jwt_bearer',
    scope: requested.join(' ') || undefined,
  });
  const value = await token.save();
  ctx.body = {
    access_token: value,
    expires_in: token.expiration,
    token_type: token.tokenType,
    ...(token.scope ? { scope: token.scope } : {}),
  };
}, ['assertion', 'scope']);

// RFC 8693 token exchange, strict: see the header of this file.
if (exchangeCfg) {
  const audiences = exchangeCfg.audiences ?? ['https://api.example', 'billing'];
  const list = (v) => (v === undefined ? [] : [].concat(v));
  const validAccessToken = async (value, type, what) => {
    if (type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest(`unsupported ${what}_type`);
    const token = await provider.AccessToken.find(value);
    if (!token || !token.isValid) throw new errors.InvalidGrant(`${what} is invalid`);
    return token;
  };
  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const { client } = ctx.oidc;
    const p = ctx.oidc.params;
    if (!p.subject_token) throw new errors.InvalidRequest('missing subject_token');
    if (!p.subject_token_type) throw new errors.InvalidRequest('missing subject_token_type');
    const subject = await validAccessToken(p.subject_token, p.subject_token_type, 'subject_token');
    let act;
    if (p.actor_token) {
      const actor = await validAccessToken(p.actor_token, p.actor_token_type, 'actor_token');
      act = { sub: actor.accountId ?? actor.clientId };
    } else if (p.actor_token_type) {
      throw new errors.InvalidRequest('actor_token_type without actor_token');
    }
    if (p.requested_token_type && p.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest('unsupported requested_token_type');
    }
    const audience = list(p.audience);
    for (const a of audience) {
      if (!audiences.includes(a)) throw new errors.InvalidTarget(`unknown audience ${a}`);
    }
    const granted = new Set((subject.scope || '').split(' ').filter(Boolean));
    const requested = (p.scope || '').split(' ').filter(Boolean);
    for (const s of requested) {
      if (!granted.has(s) && s !== 'offline_access') throw new errors.InvalidScope('scope exceeds the subject token\'s', s);
    }
    const scope = (requested.length ? requested : [...granted]).join(' ');
    const grant = new provider.Grant({ clientId: client.clientId, accountId: subject.accountId });
    if (scope) grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId: subject.accountId, client, grantId, gty: 'token_exchange', scope: scope || undefined,
    });
    token.exchangeClaims = {
      ...(act ? { act } : {}),
      ...(audience.length ? { audience } : {}),
    };
    const value = await token.save();
    let refresh;
    if (requested.includes('offline_access')) {
      refresh = await new provider.RefreshToken({
        accountId: subject.accountId, client, grantId, gty: 'token_exchange', scope,
      }).save();
    }
    lastExchange = {
      client: client.clientId, subject: subject.accountId, act: act ?? null, audience,
      scope, resource: list(p.resource), requested_token_type: p.requested_token_type ?? null,
    };
    ctx.body = {
      access_token: value,
      ...(exchangeCfg.omitIssuedTokenType ? {} : { issued_token_type: ACCESS_TOKEN_TYPE }),
      token_type: token.tokenType,
      expires_in: token.expiration,
      ...(scope ? { scope } : {}),
      ...(refresh ? { refresh_token: refresh } : {}),
    };
  }, ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'actor_token',
    'actor_token_type', 'scope', 'resource'], ['audience', 'resource']);
}

// The devInteractions login states no acr: give it the one the request asked for (if
// supported), so that acr_values are honoured as a real provider's stronger login would.
if (acrValues.length) {
  const finish = provider.interactionFinished.bind(provider);
  provider.interactionFinished = async (req, res, result, options) => {
    if (result?.login && !result.login.acr) {
      const { params } = await provider.interactionDetails(req, res);
      result.login.acr = chooseAcr(params.acr_values);
    }
    return finish(req, res, result, options);
  };
}

// The control endpoints of the CIBA "authentication device".
async function cibaControl(ctx) {
  if (ctx.method === 'GET' && ctx.path === '/test/ciba/polls') {
    const id = ctx.query.auth_req_id;
    const mine = () => cibaPolls.filter((p) => id === undefined || p.auth_req_id === id);
    const count = Number(ctx.query.count || 0);
    const until = Date.now() + 10000;
    while (mine().length < count && Date.now() < until) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, until - Date.now());
        cibaPollWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    ctx.body = mine();
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/test/ciba/pending') {
    const { account } = ctx.query;
    const mine = () => [...cibaPending.values()].filter((p) => account === undefined || p.account === account);
    const until = Date.now() + 10000;
    while (ctx.query.wait && !mine().length && Date.now() < until) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, until - Date.now());
        cibaWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    ctx.body = mine();
    return;
  }
  const id = ctx.query.auth_req_id;
  const pending = cibaPending.get(id);
  if (ctx.method !== 'POST' || !pending) {
    ctx.status = 404;
    ctx.body = { error: 'no such pending CIBA request' };
    return;
  }
  cibaPending.delete(id);
  const request = await provider.BackchannelAuthenticationRequest.find(id, { ignoreExpiration: true });
  if (ctx.path === '/test/ciba/approve') {
    const grant = new provider.Grant({ clientId: request.clientId, accountId: request.accountId });
    grant.addOIDCScope(request.scope);
    if (request.claims?.id_token) grant.addOIDCClaims(Object.keys(request.claims.id_token));
    await grant.save();
    await provider.backchannelResult(request, grant, {
      acr: ctx.query.acr || chooseAcr(pending.acr_values),
      amr: ['pwd'],
      authTime: now(),
    });
  } else {
    await provider.backchannelResult(request, new errors.AccessDenied('the user refused'));
  }
  ctx.body = { ok: true };
}

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/test/ciba/')) {
    if (!cibaCfg) ctx.throw(404);
    await cibaControl(ctx);
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/test/exchange/last') {
    ctx.type = 'json';
    ctx.body = JSON.stringify(lastExchange);
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/test/stats') {
    ctx.type = 'json';
    ctx.body = JSON.stringify(stats);
    if (ctx.query.reset) resetStats();
    return;
  }
  await next();
  if (ctx.method !== 'POST') return;
  if (ctx.path === '/device/auth' && ctx.status === 200 && deviceInterval > 0 && ctx.body && typeof ctx.body === 'object') {
    ctx.body = { ...ctx.body, interval: deviceInterval };
  } else if (ctx.path === '/token') {
    const grantType = ctx.oidc?.params?.grant_type ?? 'unknown';
    const ok = ctx.status >= 200 && ctx.status < 300;
    const entry = (stats.token[grantType] ??= { ok: 0, error: 0 });
    entry[ok ? 'ok' : 'error'] += 1;
    if (grantType === 'refresh_token') {
      stats.refresh += 1;
      stats[ok ? 'refresh_ok' : 'refresh_error'] += 1;
    }
    console.error(`token grant_type=${grantType} client=${ctx.oidc?.client?.clientId ?? '-'} status=${ctx.status}`);
    if (grantType === CIBA_GRANT) {
      const id = ctx.oidc.params.auth_req_id;
      const started = cibaStarted.get(id);
      cibaPolls.push({
        auth_req_id: id,
        ms: started === undefined ? null : Date.now() - started,
        status: ctx.status,
        error: ok ? null : (ctx.body?.error ?? null),
      });
      const waiters = cibaPollWaiters;
      cibaPollWaiters = [];
      waiters.forEach((wake) => wake());
    }
  } else if (ctx.path === '/backchannel' && ctx.status === 200 && ctx.body?.auth_req_id) {
    cibaStarted.set(ctx.body.auth_req_id, Date.now());
    if (cibaCfg.interval) ctx.body.interval = cibaCfg.interval;
  } else if (ctx.path === '/token/revocation') {
    stats.revocation += 1;
  } else if (ctx.path === '/token/introspection') {
    stats.introspection += 1;
  }
});

provider.on('server_error', (ctx, err) => console.error(`server_error: ${err.stack || err}`));
provider.on('grant.error', (ctx, err) => console.error(`grant.error: ${err.error || err.message}: ${err.error_detail || ''}`));

httpServer.on('request', provider.callback());
tlsServer?.on('request', provider.callback());

process.stdout.write(`${JSON.stringify({ issuer, port, ...(mtlsPort ? { mtls_port: mtlsPort } : {}) })}\n`);

// Die with the parent: when stdin closes (the test process ended) or on a signal.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
