// The WLanguage AuthRefreshToken example in Node.js: load the saved token, refresh it if it
// expires within a minute, otherwise log in (system browser); save it; read and print the
// identity.
//   node seed-example.js <configuration-url> <client-id> <token-file>
const fs = require('node:fs');
const auth = require('authtoken');

async function main(configurationUrl, clientId, file) {
  const svc = new auth.OpenIDParameters({
    clientId, configurationUrl, scope: 'openid profile email offline_access', redirectUrl: 'http://127.0.0.1:0/callback',
  });
  let token = null;
  if (fs.existsSync(file)) {
    try {
      token = auth.Token.load(file);
      // Expired or expiring within the minute, and refreshable?
      if (token.expiresWithin(60) && token.refreshToken) {
        token = await auth.refreshToken(token);
        token.save(file);
      }
    } catch (e) {
      if (!(e instanceof auth.AuthError)) throw e;
      console.error('Saved session is invalid:', e.message);
      token = null;
    }
  }
  if (!token || !token.isValid) {
    token = await auth.identify(svc); // opens the browser
    token.save(file);
  }
  console.log(`Connection OK: ${(await auth.readIdentity(token)).source}`);
}

if (process.argv.length !== 5) {
  console.error(`authtoken ${auth.version()} (${auth.libraryPath()})\nusage: node seed-example.js <configuration-url> <client-id> <token-file>`);
  process.exit(2);
}
main(...process.argv.slice(2)).catch((e) => { console.error('Could not start the session:', e.message); process.exit(1); });
