// A stand-in for the system browser where there is no display:
//   BROWSER="node tests/browser/play.mjs" <program that logs in>
// The library runs `$BROWSER <url>`; this plays the user "alice" in headless chromium (login
// and consent approved) and follows the redirect back to the program's loopback listener.
import { launch, newContext, play } from './user.mjs';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: play.mjs <authorization URL>\n');
  process.exit(2);
}
const browser = await launch();
try {
  const r = await play(await newContext(browser), { url, action: process.env.PLAY_ACTION ?? 'approve' });
  process.stderr.write(`[headless browser] signed in as alice in ${r.ms} ms; the app's page says: ${r.text.split('\n')[0]}\n`);
} catch (e) {
  process.stderr.write(`[headless browser] failed: ${e}\n`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
