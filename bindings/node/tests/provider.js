'use strict';
// Test helpers: a real oidc-provider (tests/provider/server.mjs) and its user, played through
// its devInteractions pages by tests/support/user.mjs (the player of every language's tests).

const { execFile, spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.join(ROOT, 'tests', 'provider', 'server.mjs');
const PLAYER = path.join(ROOT, 'tests', 'support', 'user.mjs');

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

/** Plays the user from `url` through the provider's pages (tests/support/user.mjs, the player
 * of every language's tests, in its HTTP mode). Resolves with its report: `final` (the URL it
 * ended on), `left` (whether it left the provider), `text` (that page's text). */
function play(url, { action = 'approve', login = 'alice', follow = true } = {}) {
  const args = [PLAYER, 'play', '--action', action, '--login', login, ...(follow ? [] : ['--no-follow']), url];
  return new Promise((resolve, reject) => {
    execFile('node', args, { timeout: 90000 }, (error, stdout, stderr) => {
      let report = {};
      try { report = JSON.parse(stdout); } catch (_) { /* reported below */ }
      if (report.ok) resolve(report);
      else reject(new Error(`the user player failed from ${url}: ${report.error || stderr || error}`));
    });
  });
}

/** Plays the user from `startUrl` (login, consent, the device flow's confirmation). Resolves
 * with the URL the provider finally redirects the browser to on another origin (not fetched),
 * or null when it ends on a page of its own (the device flow's success page). */
async function walkPages(startUrl, login = 'alice') {
  const report = await play(startUrl, { login, follow: false });
  return report.left ? report.final : null;
}

/** Plays the user; returns the URL the provider redirects the browser to (not fetched). */
async function loginOverHttp(authorizationUrl, login = 'alice') {
  const redirect = await walkPages(authorizationUrl, login);
  if (!redirect) throw new Error(`login: no redirect out of the provider from ${authorizationUrl}`);
  return redirect;
}

/** The whole browser: signs in, then loads the loopback redirect the library listens on. */
async function playUser(authorizationUrl, login = 'alice') {
  const report = await play(authorizationUrl, { login });
  if (!report.left) throw new Error(`login: no redirect out of the provider from ${authorizationUrl}`);
  return report.final;
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

/** A token endpoint answer for alice obtained without the library (code + PKCE, by the
 * player: tests/support/user.mjs token). */
function firstTokenJson(provider, clientId = 'public-app', secret = '', scope = 'openid profile email offline_access') {
  const args = [PLAYER, 'token', '--issuer', provider.issuer, '--client', clientId, '--scope', scope, ...(secret ? ['--secret', secret] : [])];
  return new Promise((resolve, reject) => {
    execFile('node', args, { timeout: 90000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`first token: ${stderr || error}`));
      else resolve(stdout.trim());
    });
  });
}

/** The user's phone in a CIBA sign-in (tests/support/user.mjs ciba): waits for the provider's
 * pending request for `login` and approves or refuses it; the player's report (auth_req_id,
 * binding_message). */
function answerCiba(provider, login, action = 'approve') {
  const args = [PLAYER, 'ciba', '--issuer', provider.issuer, '--login', login, '--action', action];
  return new Promise((resolve, reject) => {
    execFile('node', args, { timeout: 90000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`CIBA answer: ${stderr || error}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

const keyPath = (name) => path.join(ROOT, 'tests', 'provider', 'keys', name);

module.exports = { startProvider, play, walkPages, loginOverHttp, playUser, userInBrowser, userOnDevice, firstTokenJson, answerCiba, keyPath };
