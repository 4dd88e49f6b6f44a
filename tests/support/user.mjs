#!/usr/bin/env node
// Plays the user of the test provider (oidc-provider's devInteractions login and consent
// pages, its device-code pages and its logout confirmation) for the tests of every language
// and for the demo. The one place that knows those pages.
//
//   node tests/support/user.mjs play [--mode http|browser] [--action approve|deny]
//        [--login NAME] [--no-follow] [--print url|json] [--as-browser] URL
//     Goes to URL and answers every page until the browser leaves the provider (the app's
//     redirect, which is then loaded unless --no-follow) or ends on a page without a form
//     (the device flow's last page). Prints one JSON line (--print json, the default):
//       {"ok":true,"final":URL,"left":bool,"status":N,"text":"...","pages":[...],"ms":N}
//     or only the final URL (--print url). A failure prints {"ok":false,"error":"..."} (or
//     the error on stderr with --print url) and exits 1. --as-browser: the stand-in for the
//     system browser ($BROWSER="node tests/support/user.mjs play --as-browser"): says what it
//     did on stderr, prints nothing on stdout, and plays in chromium unless --mode says.
//   node tests/support/user.mjs serve [--mode http|browser]
//     The same for many URLs over one process: prints {"ready":true}, then reads one JSON
//     command a line {"id","url","action"?,"login"?,"follow"?,"session"?} and answers each
//     with the line above plus its "id". Commands run concurrently; a "session" name keeps
//     cookies (and, in chromium, the browser context) from one command to the next. Exits
//     when stdin closes.
//   node tests/support/user.mjs token --issuer URL --client ID [--secret S]
//        [--auth post|basic|none] [--scope S] [--login NAME]
//     A first token without the library: plays the login of an authorization request (PKCE
//     S256, prompt=consent) over HTTP and exchanges its code; prints the token endpoint's
//     JSON answer.
//   node tests/support/user.mjs ciba --issuer URL [--login NAME] [--action approve|deny]
//     The user's phone in a CIBA sign-in: waits (up to 10 s) for the test provider's pending
//     backchannel request for NAME (its control endpoint /test/ciba/pending) and approves or
//     refuses it (/test/ciba/approve|deny); prints {"ok":true,"auth_req_id":...,
//     "binding_message":...} (the message the phone showed, null when none).
//
// Modes: "http" (the default) fetches the pages and posts their forms as a browser would, in
// a few milliseconds; "browser" drives Debian chromium (/usr/bin/chromium, or $CHROMIUM)
// headless through playwright-core, for what needs a real browser (scripts in pages, the
// listener's page that posts a URL fragment back, a login remembered by the browser).
// "approve" signs in and consents; "deny" signs in and refuses (consent, device code).
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import readline from 'node:readline';

const PAGE_TIMEOUT_MS = 20000; // one page load or form submission
const COMMAND_TIMEOUT_MS = 60000; // one whole play
const MAX_PAGES = 16;
const SELF_SUBMIT_GRACE_MS = 5000; // a self-submitting page left as it is that long: submit it
const PASSWORD = 'any-password'; // devInteractions accepts any

// ------------------------------------------------------------------------- the pages
// What each provider page is, told from its HTML (both modes read the same HTML), and how the
// user answers it: in chromium by clicking, over HTTP by posting what that click would post.
const PAGES = [
  {
    kind: 'login',
    is: (html) => /name="prompt" value="login"/.test(html),
    browser: async (page, cmd) => {
      await page.fill('input[name=login]', cmd.login);
      await page.fill('input[name=password]', PASSWORD);
      return 'button[type=submit]';
    },
    http: (form, cmd) => ({ post: form, fields: { ...form.fields, login: cmd.login, password: PASSWORD } }),
  },
  {
    kind: 'consent',
    is: (html) => /name="prompt" value="consent"/.test(html),
    browser: async (page, cmd) => (cmd.action === 'deny' ? 'a[href*="/abort"]' : 'button[type=submit]'),
    http: (form, cmd, html) => (cmd.action === 'deny'
      ? { get: decode(/<a [^>]*href="([^"]*\/abort[^"]*)"/.exec(html)?.[1] ?? '') }
      : { post: form, fields: form.fields }),
  },
  {
    // The code form again, with the provider's word in red: the device login was refused
    // (abort) or the code is wrong. Nothing more to answer: the walk ends here.
    kind: 'device-code-refused',
    is: (html) => html.includes('id="op.deviceInputForm"') && html.includes('class="red"'),
    end: true,
  },
  {
    // The code typed by the user (prefilled when the URL carried it).
    kind: 'device-code',
    is: (html) => html.includes('id="op.deviceInputForm"'),
    browser: async () => 'button[form="op.deviceInputForm"]',
    http: (form) => ({ post: form, fields: form.fields }),
  },
  {
    kind: 'device-confirm',
    is: (html) => html.includes('id="op.deviceConfirmForm"'),
    browser: async (page, cmd) => (cmd.action === 'deny'
      ? 'button[name=abort]'
      : 'button[autofocus][form="op.deviceConfirmForm"]'),
    http: (form, cmd) => ({ post: form, fields: cmd.action === 'deny' ? { ...form.fields, abort: 'yes' } : form.fields }),
  },
  {
    kind: 'logout',
    is: (html) => html.includes('id="op.logoutForm"'),
    browser: async () => 'button[name=logout]',
    http: (form) => ({ post: form, fields: { ...form.fields, logout: 'yes' } }),
  },
  {
    // A page that submits its own form when loaded (the provider's form_post pages, e.g. the
    // device flow's verification_uri_complete). In chromium the page's script does it: the
    // player waits for the next page instead of taking this one for the last.
    kind: 'self-submitting',
    is: (html) => html.includes('document.forms[0].submit()'),
    browser: null,
    http: (form) => ({ post: form, fields: form.fields }),
  },
];

// The page: one of PAGES; "end" (no form: a page of the provider's own that ends the walk);
// or "unknown" (a form nobody here knows: an error, never taken for the end).
function kindOf(html) {
  const known = PAGES.find((p) => p.is(html));
  if (known) return known;
  return /<form[\s>]/i.test(html) ? { kind: 'unknown' } : { kind: 'end', end: true };
}

function decode(s) {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

// The first form of the page (action, method, the values it sends as it is).
function firstForm(html, base) {
  const m = /<form([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) return null;
  const attr = (tag, name) => decode(new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? '');
  const fields = {};
  for (const tag of m[2].match(/<input[^>]*>/gi) ?? []) {
    const name = attr(tag, 'name');
    if (name && /type="(hidden|text)"/.test(tag)) fields[name] = attr(tag, 'value');
  }
  return { action: new URL(attr(m[1], 'action') || base, base).toString(), fields };
}

function pageText(html) {
  return decode(html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
}

// ------------------------------------------------------------------------- over HTTP
class CookieJar {
  constructor() { this.cookies = new Map(); }
  header(url) {
    const host = new URL(url).host;
    const pairs = [...this.cookies].filter(([k]) => k.startsWith(`${host}\t`)).map(([k, v]) => `${k.split('\t')[1]}=${v}`);
    return pairs.length ? { cookie: pairs.join('; ') } : {};
  }
  take(url, response) {
    const host = new URL(url).host;
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(`${host}\t${pair.slice(0, i).trim()}`, pair.slice(i + 1));
    }
  }
}

async function httpPlay(cmd, jar = new CookieJar()) {
  const origin = new URL(cmd.url).origin;
  const pages = [];
  let request = { url: cmd.url, method: 'GET' };
  for (let step = 0; step < MAX_PAGES * 2; step += 1) {
    const leaving = new URL(request.url).origin !== origin;
    if (leaving && !cmd.follow) return { final: request.url, left: true, status: 0, text: '', pages };
    const r = await fetch(request.url, {
      method: request.method,
      headers: { ...(leaving ? {} : jar.header(request.url)), ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
    });
    if (!leaving) jar.take(request.url, r);
    const html = await r.text();
    if (leaving) return { final: request.url, left: true, status: r.status, text: pageText(html), pages };
    if (r.status >= 300 && r.status < 400 && r.headers.get('location')) {
      request = { url: new URL(r.headers.get('location'), request.url).toString(), method: 'GET' };
      continue;
    }
    const page = kindOf(html);
    pages.push(page.kind);
    if (page.end || r.status !== 200) return { final: request.url, left: false, status: r.status, text: pageText(html), pages };
    if (page.kind === 'unknown') throw new Error(`a form this player does not know at ${request.url}:\n${pageText(html).slice(0, 400)}`);
    const answer = page.http(firstForm(html, request.url), cmd, html);
    if (answer.get !== undefined) {
      if (!answer.get) throw new Error(`no link to follow on the ${page.kind} page at ${request.url}`);
      request = { url: new URL(answer.get, request.url).toString(), method: 'GET' };
    } else {
      request = { url: answer.post.action, method: 'POST', body: new URLSearchParams(answer.fields).toString() };
    }
  }
  throw new Error(`more than ${MAX_PAGES} pages from ${cmd.url}`);
}

// ------------------------------------------------------------------------- in chromium
let chromium;
async function launchBrowser() {
  // playwright-core is installed with the test provider (tests/provider/package.json).
  chromium ??= createRequire(new URL('../provider/package.json', import.meta.url))('playwright-core').chromium;
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-dev-shm-usage',
      // No network but loopback: other names fail at once (the provider's pages import web fonts).
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]'],
  });
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// The page's HTML once it is loaded; null while it is being replaced by the next one.
async function loadedHtml(page) {
  try {
    await page.waitForLoadState('domcontentloaded', { timeout: PAGE_TIMEOUT_MS });
    return await page.content();
  } catch (e) {
    if (/navigat|context was destroyed/i.test(e.message)) return null;
    throw e;
  }
}

async function browserPlay(cmd, context) {
  const page = await context.newPage();
  const trace = process.env.AUTHTOKEN_TRACE_BROWSER
    ? (what) => process.stderr.write(`[browser ${Date.now() - cmd.started} ms] ${what}\n`) : () => {};
  try {
    const origin = new URL(cmd.url).origin;
    const pages = [];
    let status = 0; // of the last page loaded
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) status = r.status();
    });
    await page.goto(cmd.url, { waitUntil: 'domcontentloaded', timeout: PAGE_TIMEOUT_MS });
    let answered = 0;
    let waited = 0;
    for (;;) {
      if (new URL(page.url()).origin !== origin) break;
      const html = await loadedHtml(page);
      if (html === null || new URL(page.url()).origin !== origin) {
        await sleep(20); // between two pages
        continue;
      }
      const known = kindOf(html);
      trace(`${known.kind} at ${new URL(page.url()).pathname}`);
      if (known.kind === 'self-submitting') {
        // Its script is submitting it: the next page comes by itself (or, should the script
        // not run, by a submission of ours after a while).
        waited += 50;
        if (waited % SELF_SUBMIT_GRACE_MS === 0) await page.evaluate(() => document.forms[0]?.submit()).catch(() => {});
        await sleep(50);
        continue;
      }
      pages.push(known.kind);
      if (known.end) break;
      if (known.kind === 'unknown') throw new Error(`a form this player does not know:\n${pageText(html).slice(0, 400)}`);
      if ((answered += 1) > MAX_PAGES) throw new Error(`more than ${MAX_PAGES} pages`);
      const button = await known.browser(page, cmd);
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: PAGE_TIMEOUT_MS }),
        page.click(button),
      ]);
    }
    const left = new URL(page.url()).origin !== origin;
    trace(left ? `left the provider for ${new URL(page.url()).origin}` : 'ended on the provider');
    // The app's page (the listener's) may post a URL fragment back: let it settle.
    await page.waitForLoadState('load', { timeout: PAGE_TIMEOUT_MS }).catch(() => {});
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    return { final: page.url(), left, status, text, pages };
  } catch (e) {
    throw new Error(`${e.message.split('\n')[0]} (at ${page.url()})`);
  } finally {
    await page.close().catch(() => {});
  }
}

// ------------------------------------------------------------------------- one player
// Plays commands in one mode; sessions keep cookies (and chromium contexts) between them.
class Player {
  constructor(mode) {
    if (!['http', 'browser'].includes(mode)) throw new Error(`unknown mode ${mode} (http or browser)`);
    this.mode = mode;
    this.sessions = new Map();
  }

  async play(input) {
    const cmd = {
      url: input.url, action: input.action ?? 'approve', login: input.login ?? 'alice',
      follow: input.follow ?? true, session: input.session, started: Date.now(),
    };
    if (!cmd.url) throw new Error('no url');
    if (cmd.action === 'visit') cmd.action = 'approve'; // the older name of "go there and go on"
    if (!['approve', 'deny'].includes(cmd.action)) throw new Error(`unknown action ${cmd.action}`);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not done in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    });
    try {
      const done = await Promise.race([this.mode === 'http' ? this.overHttp(cmd) : this.inBrowser(cmd), timeout]);
      return { ...done, ms: Date.now() - cmd.started };
    } finally {
      clearTimeout(timer);
    }
  }

  async overHttp(cmd) {
    let jar = cmd.session ? this.sessions.get(cmd.session) : undefined;
    if (!jar) {
      jar = new CookieJar();
      if (cmd.session) this.sessions.set(cmd.session, jar);
    }
    return httpPlay(cmd, jar);
  }

  async inBrowser(cmd) {
    this.browser ??= launchBrowser();
    const browser = await this.browser;
    let context = cmd.session ? this.sessions.get(cmd.session) : undefined;
    if (!context) {
      context = await browser.newContext();
      if (cmd.session) this.sessions.set(cmd.session, context);
    }
    try {
      if (!cmd.follow) throw new Error('--no-follow is for the http mode (chromium always loads the page)');
      return await browserPlay(cmd, context);
    } finally {
      if (!cmd.session) await context.close().catch(() => {});
    }
  }

  async close() {
    if (this.browser) await (await this.browser).close().catch(() => {});
  }
}

// ------------------------------------------------------------------------- a first token
async function firstToken(o) {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9/callback'; // never listened on: the code is read from the URL
  const auth = new URL(`${o.issuer}/auth`);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: o.client, redirect_uri: redirectUri, scope: o.scope, state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    prompt: 'consent', // oidc-provider drops offline_access unless consent is asked for
  })) auth.searchParams.set(k, v);
  const played = await httpPlay({ url: auth.toString(), action: 'approve', login: o.login, follow: false });
  const code = played.left ? new URL(played.final).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in the redirect ${played.final}`);
  const fields = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
  const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  const authMethod = o.auth ?? (o.secret ? 'post' : 'none');
  if (authMethod === 'basic') {
    const enc = (s) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${enc(o.client)}:${enc(o.secret ?? '')}`).toString('base64')}`;
  } else {
    fields.client_id = o.client;
    if (authMethod === 'post') fields.client_secret = o.secret ?? '';
  }
  const r = await fetch(`${o.issuer}/token`, {
    method: 'POST', headers, body: new URLSearchParams(fields).toString(), signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
  });
  const body = await r.text();
  if (!r.ok) throw new Error(`token endpoint: ${r.status} ${body}`);
  return body;
}

// ------------------------------------------------------------------------- command line
function parseArgs(argv) {
  const o = { _: [] };
  const flags = new Set(['no-follow', 'as-browser']);
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (!a.startsWith('--')) { o._.push(a); continue; }
    const name = a.slice(2);
    if (flags.has(name)) o[name] = true;
    else if (i + 1 < argv.length) o[name] = argv[(i += 1)];
    else throw new Error(`${a} needs a value`);
  }
  return o;
}

// The user's answer on their device to the pending CIBA request for `login`.
async function answerCiba(o) {
  const pending = await fetch(`${o.issuer}/test/ciba/pending?wait=1&account=${encodeURIComponent(o.login)}`);
  const requests = await pending.json();
  if (!pending.ok || !requests.length) throw new Error(`no pending CIBA request for ${o.login}: ${JSON.stringify(requests)}`);
  const id = requests[0].auth_req_id;
  const verb = o.action === 'deny' ? 'deny' : 'approve';
  const answer = await fetch(`${o.issuer}/test/ciba/${verb}?auth_req_id=${encodeURIComponent(id)}`, { method: 'POST' });
  if (!answer.ok) throw new Error(`${verb} of ${id}: HTTP ${answer.status} ${await answer.text()}`);
  return { ok: true, auth_req_id: id, binding_message: requests[0].binding_message ?? null };
}

async function serve(mode) {
  const player = new Player(mode);
  const reply = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
  reply({ ready: true });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let cmd;
    try { cmd = JSON.parse(line); } catch { reply({ ok: false, error: `not JSON: ${line}` }); return; }
    player.play(cmd).then(
      (r) => reply({ id: cmd.id, ok: true, ...r }),
      (e) => reply({ id: cmd.id, ok: false, error: String(e.message ?? e) }),
    );
  });
  rl.on('close', async () => {
    await player.close();
    process.exit(0);
  });
}

async function playOnce(o) {
  const url = o._[1];
  const mode = o.mode ?? (o['as-browser'] ? 'browser' : 'http');
  const player = new Player(mode);
  try {
    const r = await player.play({ url, action: o.action, login: o.login, follow: !o['no-follow'] });
    if (o['as-browser']) {
      const who = mode === 'browser' ? 'headless chromium' : 'the HTTP player';
      process.stderr.write(`[${who}] signed in as ${o.login ?? 'alice'} in ${r.ms} ms; the app's page says: ${r.text.split('\n')[0]}\n`);
    } else if (o.print === 'url') {
      process.stdout.write(`${r.final}\n`);
    } else {
      process.stdout.write(`${JSON.stringify({ ok: true, ...r })}\n`);
    }
  } catch (e) {
    const message = String(e.message ?? e);
    if (o['as-browser'] || o.print === 'url') process.stderr.write(`user.mjs: ${message}\n`);
    else process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    process.exitCode = 1;
  } finally {
    await player.close();
  }
}

const USAGE = 'usage: user.mjs play [--mode http|browser] [--action approve|deny] [--login NAME] [--no-follow] [--print url|json] [--as-browser] URL\n'
  + '       user.mjs serve [--mode http|browser]\n'
  + '       user.mjs token --issuer URL --client ID [--secret S] [--auth post|basic|none] [--scope S] [--login NAME]\n'
  + '       user.mjs ciba --issuer URL [--login NAME] [--action approve|deny]\n';

let args;
try { args = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`${e.message}\n${USAGE}`); process.exit(2); }
// As $BROWSER the library gives the URL alone: "play" is implied.
if (args._[0]?.includes('://')) args._.unshift('play');
switch (args._[0]) {
  case 'play':
    if (!args._[1]) { process.stderr.write(USAGE); process.exit(2); }
    await playOnce(args);
    break;
  case 'serve':
    await serve(args.mode ?? 'http');
    break;
  case 'token':
    if (!args.issuer || !args.client) { process.stderr.write(USAGE); process.exit(2); }
    try {
      process.stdout.write(`${await firstToken({ ...args, scope: args.scope ?? 'openid profile email offline_access', login: args.login ?? 'alice' })}\n`);
    } catch (e) {
      process.stderr.write(`user.mjs token: ${e.message}\n`);
      process.exitCode = 1;
    }
    break;
  case 'ciba':
    if (!args.issuer) { process.stderr.write(USAGE); process.exit(2); }
    try {
      process.stdout.write(`${JSON.stringify(await answerCiba({ ...args, login: args.login ?? 'alice' }))}\n`);
    } catch (e) {
      process.stderr.write(`user.mjs ciba: ${e.message}\n`);
      process.exitCode = 1;
    }
    break;
  default:
    process.stderr.write(USAGE);
    process.exit(2);
}
