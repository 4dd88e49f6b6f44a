// The README's seed example in TypeScript: type-checked by the test script (tsc --noEmit),
// so the declarations in index.d.ts stay in step with how the binding is used.
import * as fs from 'node:fs';
import * as auth from '..';

export async function startSession(issuer: string, file: string): Promise<string> {
  const params = new auth.OpenIDParameters({
    clientId: 'public-app',
    configurationUrl: issuer,
    scope: 'openid profile email offline_access',
    redirectUrl: 'http://localhost:3333/callback',
  });
  let token: auth.Token | null = null;
  if (fs.existsSync(file)) {
    try {
      token = auth.Token.load(file);
      if (token.expiresWithin(60) && token.refreshToken !== '') {
        token = await auth.refreshToken(token);
        token.save(file);
      }
    } catch (e) {
      if (!(e instanceof auth.AuthError)) throw e;
      console.log(`Saved session is invalid (${e.codeName}, ${e.oauthError}, ${e.httpStatus})`);
    }
  }
  if (token === null || !token.isValid) {
    token = await auth.identify(params);
    token.save(file);
  }
  const identity: auth.Identity = await auth.readIdentity(token);
  const sub: string = identity.subject;
  const claim: string | null = identity.claim('email');
  void sub; void claim;
  const session = await auth.Session.create(params, file, { onTokenChanged: (t) => t.save(file) });
  const fresh: auth.Token = await session.token(60);
  session.free();
  void fresh;
  return `Connection OK: ${identity.source}`;
}
