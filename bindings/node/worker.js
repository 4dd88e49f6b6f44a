'use strict';
// A thread for the blocking calls of the library. A call and the reading of its error details
// (auth_last_error is per thread) happen here, on the same thread. The callbacks the library
// makes on this thread (open URL, device prompt, token changed) are registered here, since
// koffi can only call a JS function on the thread that registered it or from a non-JS thread;
// they forward to the main thread and, when it must answer, wait for its answer.

const { parentPort, workerData } = require('node:worker_threads');
const native = require('./native');

const { koffi } = native;
// [0]: 0 while the main thread is answering, 1 when done; [1]: the answer.
const answer = new Int32Array(workerData.shared);
const ANSWER_TIMEOUT_MS = 10 * 60 * 1000;

function ask(message) {
  Atomics.store(answer, 0, 0);
  parentPort.postMessage(message);
  if (Atomics.wait(answer, 0, 0, ANSWER_TIMEOUT_MS) === 'timed-out') return 1; // cancels
  return Atomics.load(answer, 1);
}

const trampolines = {
  openUrl: koffi.register((ud, url) => ask({ callback: 'openUrl', ud: Number(ud), args: [url] }),
    koffi.pointer(native.proto.openUrl)),
  devicePrompt: koffi.register((ud, uri, code, complete, expires) =>
    ask({ callback: 'devicePrompt', ud: Number(ud), args: [uri, code, complete, Number(expires)] }),
  koffi.pointer(native.proto.devicePrompt)),
  tokenChanged: koffi.register((ud, token) => {
    // The token lives only during this call: copy it here, hand the bytes over.
    const buf = [null];
    const len = [0];
    if (native.fn('auth_token_serialize')(token, buf, len) !== 0) return;
    const bytes = native.takeBytes(buf[0], Number(len[0]));
    parentPort.postMessage({ callback: 'tokenChanged', ud: Number(ud), args: [bytes] });
  }, koffi.pointer(native.proto.tokenChanged)),
};

// What the library logs on this thread goes to this thread's own log callback (a JS callback
// may only be called from its own thread or from a thread that runs no JS), which hands the
// line to the main thread. Its level follows the main thread's choice, sent with each job.
const logSink = native.has('auth_set_thread_log_callback')
  ? native.address(koffi.register((_ud, level, message) => {
    parentPort.postMessage({ log: [level, message] });
  }, koffi.pointer(native.proto.log)))
  : 0;
let logLevel = -1;
function setLogLevel(level) {
  if (!logSink || level === undefined || level === logLevel) return;
  native.fn('auth_set_thread_log_callback')(level > 0 ? logSink : 0, 0, level);
  logLevel = level;
}
setLogLevel(workerData.logLevel);

function run({ fn, args, out, logLevel: level }) {
  setLogLevel(level);
  const f = native.fn(fn);
  if (out === 'handle') {
    const slot = [0];
    const code = f(...args, slot);
    return code === 0 ? { code, value: slot[0] } : { code, error: native.lastError(code) };
  }
  if (out === 'string') {
    const slot = [null];
    const code = f(...args, slot);
    return code === 0 ? { code, value: native.takeString(slot[0]) } : { code, error: native.lastError(code) };
  }
  const code = f(...args);
  return code === 0 ? { code } : { code, error: native.lastError(code) };
}

parentPort.on('message', (job) => {
  let reply;
  try {
    reply = run(job);
  } catch (e) {
    reply = { thrown: { name: e.name, message: e.message, fn: e.function } };
  }
  parentPort.postMessage({ id: job.id, ...reply });
});

parentPort.postMessage({
  ready: {
    openUrl: native.address(trampolines.openUrl),
    devicePrompt: native.address(trampolines.devicePrompt),
    tokenChanged: native.address(trampolines.tokenChanged),
  },
});
