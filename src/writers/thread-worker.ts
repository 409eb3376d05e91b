// Runs in the writer thread (see thread.ts): loads its writers, warms them up, then writes each
// document it is sent, one at a time, in the order sent.
import { parentPort, workerData } from 'node:worker_threads';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import { loadWriter } from './load.js';
import { pdfPagesOf } from './pdf-pages.js';
import type { ThreadReply, ThreadRequest, WorkerData } from './thread.js';
import { warmUp } from './warm-up.js';

const port = parentPort!;
const { warm } = workerData as WorkerData;

let queue: Promise<unknown> = Promise.all(warm.map(async (f) => warmUp(await loadWriter(f))));

async function handle(m: ThreadRequest): Promise<void> {
  let reply: ThreadReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const bytes = new Uint8Array(await (await loadWriter(m.format)).write(m.doc)); // a copy we own
    const pages = pdfPagesOf(m.doc);
    reply = { id: m.id, bytes, ...(pages ? { pages } : {}) };
    transfer = [bytes.buffer];
  } catch (e) {
    reply =
      e instanceof TenderKitError
        ? { id: m.id, diagnostics: e.diagnostics }
        : { id: m.id, error: String((e as Error)?.message ?? e), stack: (e as Error)?.stack };
  }
  port.postMessage(reply, transfer);
}

port.on('message', (m: ThreadRequest) => {
  queue = queue.then(
    () => handle(m),
    () => handle(m),
  );
});
