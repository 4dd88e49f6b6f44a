// Plays the user of an interactive login in a real browser (Debian chromium through
// playwright-core): fills the provider's devInteractions login and consent pages, device-code
// pages and logout confirmation, until the browser leaves the provider (the app's redirect).
import { createRequire } from 'node:module';

// playwright-core is installed with the test provider (tests/provider/package.json).
const { chromium } = createRequire(new URL('../provider/package.json', import.meta.url))('playwright-core');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export async function newContext(browser) {
  // The provider's pages import web fonts; there is no network, so fail those at once.
  const ctx = await browser.newContext();
  await ctx.route(/^https:\/\//, (route) => route.abort());
  return ctx;
}

async function submit(page, click) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 20000 }), click()]);
}

// cmd: {url, action: "approve"|"deny"|"visit", login?}. Returns {final, text, ms}.
export async function play(ctx, cmd) {
  const started = Date.now();
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
    // The app's page (the listener) may post a fragment back: let it settle.
    await page.waitForLoadState('load', { timeout: 20000 }).catch(() => {});
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    return { final: page.url(), text, ms: Date.now() - started };
  } catch (e) {
    throw new Error(`${e.message.split('\n')[0]} (at ${page.url()})`);
  } finally {
    await page.close().catch(() => {});
  }
}
