'use strict';
// Test helpers: a real oidc-provider (tests/provider/server.mjs) and a user played over HTTP
// through its devInteractions login and consent pages.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.join(ROOT, 'tests', 'provider', 'server.mjs');
const HTTP_TIMEOUT = 15000;

async function startProvider(config = {}) {
  const child = spawn('node', [SERVER, JSON.stringify(config)], {
    cwd: path.dirname(SERVER), stdio: ['pipe', 'pipe', 'ignore'],
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test provider did not start')), 30000);
    readline.createInterface({ input: child.stdout }).once('line', (l) => { clearTimeout(timer); resolve(l); });
    child.once('exit', (c) => { clearTimeout(timer); reject(new Error(`the test provider exited (${c})`)); });
  });
  const { issuer, port } = JSON.parse(line);
  return {
    issuer, port,
    tokenEndpoint: `${issuer}/token`,
    authorizationEndpoint: `${issuer}/auth`,
    async stats() { return (await fetch(`${issuer}/test/stats`)).json(); },
    stop() { child.kill(); },
  };
}

function hiddenInputs(formHtml) {
  const fields = {};
  for (const tag of formHtml.match(/<input[^>]*>/g) || []) {
    if (!tag.includes('type="hidden"')) continue;
    const name = /name="([^"]*)"/.exec(tag);
    const value = /value="([^"]*)"/.exec(tag);
    if (name) fields[name[1]] = value ? value[1] : '';
  }
  return fields;
}

/** Plays the user from `startUrl` through the provider's pages (the device flow's
 * confirmation, login, consent). Resolves with the URL the provider finally redirects the
 * browser to on another origin (not fetched), or null when it ends on a page of its own
 * without a form (the device flow's success page). */
async function walkPages(startUrl, login = 'alice') {
  const cookies = new Map();
  const origin = new URL(startUrl).origin;
  let url = startUrl;
  let form = null;
  for (let step = 0; step < 12; step++) {
    const headers = {};
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const r = await fetch(url, {
      method: form ? 'POST' : 'GET', headers, body, redirect: 'manual',
      signal: AbortSignal.timeout(HTTP_TIMEOUT),
    });
    form = null;
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    if (r.status >= 300 && r.status < 400) {
      const target = new URL(r.headers.get('location'), url);
      await r.arrayBuffer();
      if (target.origin !== origin) return target.toString();
      url = target.toString();
      continue;
    }
    const page = await r.text();
    if (r.status !== 200) throw new Error(`login: ${url} answered ${r.status}:\n${page}`);
    const m = /<form[^>]*action="([^"]*)"/.exec(page);
    if (!m) return null;
    url = new URL(m[1].replace(/&amp;/g, '&'), url).toString();
    if (page.includes('name="prompt" value="login"')) form = { prompt: 'login', login, password: 'any-password' };
    else if (page.includes('name="prompt" value="consent"')) form = { prompt: 'consent' };
    else form = hiddenInputs(page.slice(m.index)); // e.g. the device flow's "Continue"
  }
  throw new Error('login: too many steps');
}

/** Plays the user; returns the URL the provider redirects the browser to (not fetched). */
async function loginOverHttp(authorizationUrl, login = 'alice') {
  const redirect = await walkPages(authorizationUrl, login);
  if (!redirect) throw new Error(`login: no redirect out of the provider from ${authorizationUrl}`);
  return redirect;
}

/** The whole browser: signs in, then GETs the loopback redirect the library listens on. */
async function playUser(authorizationUrl, login = 'alice') {
  const redirect = await loginOverHttp(authorizationUrl, login);
  const r = await fetch(redirect, { signal: AbortSignal.timeout(HTTP_TIMEOUT) });
  await r.arrayBuffer();
  return redirect;
}

/** An open-URL callback: the user is played over HTTP while the library waits. */
function userInBrowser(login = 'alice') {
  const user = (url) => {
    user.urls.push(url);
    user.done.push(playUser(url, login));
    return true;
  };
  user.urls = [];
  user.done = [];
  user.settled = () => Promise.all(user.done);
  return user;
}

/** A device-prompt callback: the user, on another device, opens verificationUriComplete,
 * confirms the code, signs in and consents. */
function userOnDevice(login = 'alice') {
  const user = (prompt) => {
    user.prompts.push(prompt);
    user.done.push(walkPages(prompt.verificationUriComplete, login).then((end) => {
      if (end !== null) throw new Error(`device flow: unexpected redirect to ${end}`);
    }));
    return true;
  };
  user.prompts = [];
  user.done = [];
  user.settled = () => Promise.all(user.done);
  return user;
}

async function firstTokenJson(provider, clientId = 'public-app', secret = '', scope = 'openid profile email offline_access') {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:9/callback';
  const q = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state: 'st',
    code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent',
  });
  const redirect = await loginOverHttp(`${provider.authorizationEndpoint}?${q}`);
  const code = new URL(redirect).searchParams.get('code');
  const fields = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId };
  if (secret) fields.client_secret = secret;
  const r = await fetch(provider.tokenEndpoint, {
    method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(), signal: AbortSignal.timeout(HTTP_TIMEOUT),
  });
  if (!r.ok) throw new Error(`token endpoint: ${r.status} ${await r.text()}`);
  return r.text();
}

const keyPath = (name) => path.join(ROOT, 'tests', 'provider', 'keys', name);

module.exports = { startProvider, walkPages, loginOverHttp, playUser, userInBrowser, userOnDevice, firstTokenJson, keyPath };
