// Plays the user in a real browser (Debian chromium driven by playwright-core).
// Reads JSON commands, one a line, on stdin:
//   {"id": 1, "url": "...", "action": "approve"|"deny"|"visit", "session": "name"?}
// and answers each with one line {"id", "ok", "final", "text", "ms", "error"?}. Commands run
// concurrently; a "session" name keeps the browser context (cookies) across commands.
// Exits when stdin closes.
import { createRequire } from 'node:module';
import readline from 'node:readline';

// playwright-core is installed with the test provider (tests/provider/package.json).
const { chromium } = createRequire(new URL('../provider/package.json', import.meta.url))('playwright-core');

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'],
});
const sessions = new Map();
const reply = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

async function context(name) {
  if (name && sessions.has(name)) return sessions.get(name);
  // Pages of the provider import web fonts; there is no network, so fail those at once.
  const ctx = await browser.newContext();
  await ctx.route(/^https:\/\//, (route) => route.abort());
  if (name) sessions.set(name, ctx);
  return ctx;
}

async function submit(page, click) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 20000 }), click()]);
}

// Walks the provider's pages (devInteractions login and consent, device code pages, logout
// confirmation) until the browser leaves the provider (the app's redirect) or stops on a page.
async function play(cmd) {
  const started = Date.now();
  const ctx = await context(cmd.session);
  const page = await ctx.newPage();
  try {
    const origin = new URL(cmd.url).origin;
    await page.goto(cmd.url, { waitUntil: 'domcontentloaded', timeout: 20000 });
    for (let step = 0; step < 12; step += 1) {
      if (new URL(page.url()).origin !== origin) break;
      if (await page.locator('input[name=login]').count()) {
        await page.fill('input[name=login]', cmd.login ?? 'alice');
        await page.fill('input[name=password]', 'any-password');
        await submit(page, () => page.click('button[type=submit]'));
      } else if (await page.locator('input[name=prompt][value=consent]').count()) {
        if (cmd.action === 'deny') await submit(page, () => page.click('a[href*="/abort"]'));
        else await submit(page, () => page.click('button[type=submit]'));
      } else if (await page.locator('form[id="op.deviceInputForm"]').count()) {
        await submit(page, () => page.click('button[form="op.deviceInputForm"]'));
      } else if (await page.locator('form[id="op.deviceConfirmForm"]').count()) {
        if (cmd.action === 'deny') await submit(page, () => page.click('button[name=abort]'));
        else await submit(page, () => page.click('button[autofocus][form="op.deviceConfirmForm"]'));
      } else if (await page.locator('form[id="op.logoutForm"]').count()) {
        await submit(page, () => page.click('button[name=logout]'));
      } else {
        break;
      }
    }
    // The app's page (listener) may post a fragment back: let it settle.
    await page.waitForLoadState('load', { timeout: 20000 }).catch(() => {});
    if (cmd.settle) await page.waitForTimeout(cmd.settle);
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    reply({ id: cmd.id, ok: true, final: page.url(), text, ms: Date.now() - started });
  } catch (e) {
    reply({ id: cmd.id, ok: false, error: String(e), final: page.url(), ms: Date.now() - started });
  } finally {
    await page.close().catch(() => {});
    if (!cmd.session) await page.context().close().catch(() => {});
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let cmd;
  try { cmd = JSON.parse(line); } catch { return; }
  play(cmd);
});
rl.on('close', async () => {
  await browser.close().catch(() => {});
  process.exit(0);
});
