// The browser driver of the Rust login tests. Reads JSON commands, one a line, on stdin:
//   {"id": 1, "url": "...", "action": "approve"|"deny"|"visit", "session": "name"?}
// and answers each with one line {"id", "ok", "final", "text", "ms", "error"?}. Commands run
// concurrently, each in a fresh browser context unless a "session" name keeps one (cookies)
// across commands. Exits when stdin closes.
import readline from 'node:readline';
import { launch, newContext, play } from './user.mjs';

const browser = await launch();
const sessions = new Map();
const reply = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
reply({ ready: true });

async function run(cmd) {
  let ctx = cmd.session ? sessions.get(cmd.session) : undefined;
  if (!ctx) {
    ctx = await newContext(browser);
    if (cmd.session) sessions.set(cmd.session, ctx);
  }
  try {
    reply({ id: cmd.id, ok: true, ...(await play(ctx, cmd)) });
  } catch (e) {
    reply({ id: cmd.id, ok: false, error: String(e) });
  } finally {
    if (!cmd.session) await ctx.close().catch(() => {});
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  try { run(JSON.parse(line)); } catch { /* not a command */ }
});
rl.on('close', async () => {
  await browser.close().catch(() => {});
  process.exit(0);
});
