// Node side of benches/compare/run: one refresh with openid-client v6 (refreshTokenGrant).
//
//   node bench.mjs LABEL TOKEN_URL REFRESH_TOKEN CLIENT_ID CLIENT_SECRET SAMPLES [ISSUER]
//
// With ISSUER (the real provider) the configuration comes from discovery, as an app would do
// it; without it (the zero-work endpoint) it is built from the token endpoint alone.
// Prints one JSON line with the median time of one refresh (after a warmup).
import * as client from 'openid-client';

const [label, url, rt, clientId, secret, samplesText, issuer] = process.argv.slice(2);
const samples = Number(samplesText);

let config;
if (issuer) {
  config = await client.discovery(new URL(issuer), clientId, secret, client.ClientSecretPost(secret), {
    execute: [client.allowInsecureRequests],
  });
} else {
  const origin = new URL(url).origin;
  config = new client.Configuration(
    { issuer: origin, token_endpoint: url },
    clientId,
    secret,
    client.ClientSecretPost(secret),
  );
  client.allowInsecureRequests(config);
}

async function refresh() {
  const tokens = await client.refreshTokenGrant(config, rt);
  if (!tokens.access_token) throw new Error('no access token');
}

for (let i = 0; i < Math.max(20, Math.min(200, Math.floor(samples / 5))); i++) await refresh();
const ns = [];
for (let i = 0; i < samples; i++) {
  const start = process.hrtime.bigint();
  await refresh();
  ns.push(Number(process.hrtime.bigint() - start));
}
ns.sort((a, b) => a - b);
const at = (q) => ns[Math.floor((ns.length - 1) * q)] / 1000;
console.log(
  JSON.stringify({
    target: label,
    client: 'Node openid-client 6 (refreshTokenGrant)',
    median_us: at(0.5),
    p10_us: at(0.1),
    p90_us: at(0.9),
    n: samples,
  }),
);
