// A local oidc-provider for the login tests (until tests/provider/server.mjs is shared):
// native clients (loopback redirects on any port), device flow, end-session, refresh tokens.
// Prints one JSON line {"issuer": "...", "silent_port": N} when ready; exits when stdin closes,
// so a test process that dies takes the provider with it.
import http from 'node:http';
import net from 'node:net';
import Provider from 'oidc-provider';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A Map per model instead of the library's 1000-entry LRU (see oidc-provider-notes.md).
const stores = new Map();
class MemoryAdapter {
  constructor(name) {
    this.name = name;
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }
  key(id) { return id; }
  async upsert(id, payload, expiresIn) {
    this.store.set(id, { payload, expires: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (payload.grantId) {
      const grants = stores.get('grants') ?? new Map();
      stores.set('grants', grants);
      const list = grants.get(payload.grantId) ?? [];
      list.push([this.name, id]);
      grants.set(payload.grantId, list);
    }
    if (payload.userCode) {
      const codes = stores.get('userCodes') ?? new Map();
      stores.set('userCodes', codes);
      codes.set(payload.userCode, id);
    }
    if (payload.uid) {
      const uids = stores.get('uids') ?? new Map();
      stores.set('uids', uids);
      uids.set(payload.uid, id);
    }
  }
  async find(id) {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expires && e.expires < Date.now()) { this.store.delete(id); return undefined; }
    return e.payload;
  }
  async findByUserCode(userCode) {
    const id = stores.get('userCodes')?.get(userCode);
    return id ? this.find(id) : undefined;
  }
  async findByUid(uid) {
    const id = stores.get('uids')?.get(uid);
    return id ? this.find(id) : undefined;
  }
  async consume(id) {
    const e = this.store.get(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const [name, id] of stores.get('grants')?.get(grantId) ?? []) stores.get(name)?.delete(id);
  }
}

const port = await freePort();
const silentPort = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const loopback = ['http://127.0.0.1/', 'http://127.0.0.1/callback', 'http://localhost/callback', 'http://[::1]/callback'];
const native = {
  application_type: 'native',
  redirect_uris: loopback,
  post_logout_redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/logged-out'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
};

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients: [
    { client_id: 'native-public', token_endpoint_auth_method: 'none', ...native },
    { client_id: 'native-conf', client_secret: 'conf-secret-0123456789', token_endpoint_auth_method: 'client_secret_post', ...native },
    {
      // A web client: no forced consent, so a second login in the same browser can be silent.
      client_id: 'web-silent',
      client_secret: 'web-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [`http://127.0.0.1:${silentPort}/silent`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  issueRefreshToken: async () => true,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, name: 'Alice Example', given_name: 'Alice', family_name: 'Example' };
      },
    };
  },
  cookies: { keys: ['login-tests-cookie-key'] },
  jwks: undefined,
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`provider error: ${err.stack}\n`));

const server = http.createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer, silent_port: silentPort })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
