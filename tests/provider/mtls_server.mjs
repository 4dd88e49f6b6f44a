// A token endpoint behind mutual TLS (RFC 8705) on 127.0.0.1, for the client-certificate
// tests: https with keys/mtls-server.pem; it asks for a client certificate signed by
// keys/test-ca.pem.
//
//   node tests/provider/mtls_server.mjs
//
// Prints ONE JSON line when listening: {"issuer":"https://127.0.0.1:PORT","port":PORT}, and
// runs until killed or until its stdin closes.
//
// POST /token: with a verified client certificate, 200 and a token whose access_token is
// "mtls-<certificate CN>"; without one, 401 {"error":"invalid_client"}.

import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const keys = join(dirname(fileURLToPath(import.meta.url)), 'keys');
const pem = readFileSync(join(keys, 'mtls-server.pem'), 'utf8');

const server = createServer({
  key: pem,
  cert: pem,
  ca: readFileSync(join(keys, 'test-ca.pem'), 'utf8'),
  requestCert: true,
  // Answer without a certificate too, with an OAuth error instead of a TLS alert.
  rejectUnauthorized: false,
}, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || req.url !== '/token') {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not_found' }));
      return;
    }
    if (!req.socket.authorized) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client', error_description: 'no valid client certificate' }));
      return;
    }
    const cn = req.socket.getPeerCertificate().subject.CN;
    res.end(JSON.stringify({ access_token: `mtls-${cn}`, token_type: 'Bearer', expires_in: 60 }));
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ issuer: `https://127.0.0.1:${port}`, port })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));

