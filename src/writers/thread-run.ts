// The writer thread's work (see thread.ts): loads its writers, warms them up, then writes each
// document it is sent, one at a time, in the order sent — unless the main thread has taken that
// document back to write it itself (a job's state in shared memory says who writes it).
//
// Runs from the bundle (with its code cache) when thread-worker.ts finds a current one, else from
// dist/; either way the same compiled code.
import { TenderKitError } from '../diagnostics/diagnostic.js';
import { loadWriter } from './load.js';
import { pdfPagesOf } from './pdf-pages.js';
import { claimJob, type ThreadReply, type ThreadRequest, type WorkerData } from './thread.js';
import { warmUp } from './warm-up.js';

/**
 * Serves the thread's requests. `onFirstWrite` runs once, after the first document is written
 * (thread-worker.ts keeps the code compiled so far).
 */
export async function runWriterThread(onFirstWrite?: () => void): Promise<void> {
  const { parentPort, workerData } = await import('node:worker_threads');
  const port = parentPort!;
  const { warm, jobs } = workerData as WorkerData;
  const states = new Int32Array(jobs);

  let queue: Promise<unknown> = Promise.all(warm.map(async (f) => warmUp(await loadWriter(f))));
  let first = onFirstWrite;

  async function handle(m: ThreadRequest): Promise<void> {
    // Taken back by the main thread before this thread came to it: nothing to write.
    if (!claimJob(states, m.id, 'thread')) return port.postMessage({ id: m.id, taken: true });
    let reply: ThreadReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const bytes = new Uint8Array(await (await loadWriter(m.format)).write(m.doc)); // our copy
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
    first?.();
    first = undefined;
  }

  port.on('message', (m: ThreadRequest) => {
    queue = queue.then(
      () => handle(m),
      () => handle(m),
    );
  });
}
