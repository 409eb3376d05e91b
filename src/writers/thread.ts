// A second thread that writes documents (IR in, file bytes out), so a build's PDFs are made while
// the main thread renders the bid and writes the .docx files. The thread loads its writer and warms
// the fonts as soon as it starts (the CLI starts it before it loads the bid: thread-start.ts), which
// overlaps the main thread's loading and rendering; once the main thread has written its own files
// it takes back the documents the thread has not begun (`ThreadJob.takeBack`).
//
// Output is the same as on the main thread: each writer is a pure function of the document (the
// tests compare both byte for byte). Used where the machine has a second core (see below).
import type { Worker } from 'node:worker_threads';
import { TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Document } from '../ir/types.js';
import type { PdfPages } from './docx/pagination.js';
import { recordPdfPages } from './pdf-pages.js';
import { startThread, takeEarlyThread, threadWanted } from './thread-start.js';
import type { Format } from './types.js';

export type { WorkerData } from './thread-start.js';

export interface ThreadRequest {
  readonly id: number;
  readonly format: Format;
  readonly doc: Document;
}

export type ThreadReply =
  | { readonly id: number; readonly bytes: Uint8Array; readonly pages?: PdfPages }
  | { readonly id: number; readonly diagnostics: readonly Diagnostic[] }
  | { readonly id: number; readonly error: string; readonly stack?: string }
  /** The main thread took the job back before this thread came to it. */
  | { readonly id: number; readonly taken: true };

const CLAIMED = { thread: 1, main: 2 } as const;

/**
 * Settles who writes job `id`: the first thread to claim it (its state goes from 0 to that
 * thread's mark, atomically). A job beyond the shared slots is always the writer thread's.
 */
export function claimJob(states: Int32Array, id: number, by: 'thread' | 'main'): boolean {
  if (id >= states.length) return by === 'thread';
  const was = Atomics.compareExchange(states, id, 0, CLAIMED[by]);
  return was === 0 || was === CLAIMED[by];
}

/** A document sent to the thread. */
export interface ThreadJob {
  /** The file's bytes; undefined when the job was taken back (`takeBack`). */
  readonly bytes: Promise<Buffer | undefined>;
  /**
   * Takes the job back for the calling thread to write, if the writer thread has not begun it:
   * true when it is now the caller's. (A main thread with nothing left to do writes the last
   * documents itself rather than wait for them.)
   */
  takeBack(): boolean;
}

export class WriterThread implements AsyncDisposable {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { doc: Document; resolve: (b: Buffer | undefined) => void; reject: (e: unknown) => void }
  >();
  private readonly states: Int32Array;
  private next = 0;
  private failure: Error | undefined;

  /** Takes over the thread the CLI started early for `formats`, if any; else starts one. */
  constructor(readonly formats: readonly Format[]) {
    const early = takeEarlyThread(formats);
    ({ worker: this.worker, states: this.states } = early ?? startThread(formats));
    if (process.env.TENDERKIT_DEBUG_LAUNCH)
      process.stderr.write(`[thread] ${early ? 'started early, taken over' : 'started'}\n`);
    this.worker.on('message', (m: ThreadReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('taken' in m) p.resolve(undefined);
      else if ('bytes' in m) {
        // Where the PDF's pages fell, for the .docx of a document with a contents (pdf-pages.ts).
        if (m.pages) recordPdfPages(p.doc, m.pages);
        p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length));
      } else if ('diagnostics' in m) p.reject(new TenderKitError(m.diagnostics));
      else p.reject(Object.assign(new Error(m.error), { stack: m.stack }));
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`writer thread exited (code ${code})`)));
  }

  /** Whether this thread writes `format` (it warmed only the formats it was started for). */
  handles(format: Format): boolean {
    return this.formats.includes(format);
  }

  write(format: Format, doc: Document): ThreadJob {
    const id = this.next++;
    if (this.failure) return { bytes: Promise.reject(this.failure), takeBack: () => false };
    const bytes = new Promise<Buffer | undefined>((resolve, reject) => {
      this.pending.set(id, { doc, resolve, reject });
      this.worker.postMessage({ id, format, doc } satisfies ThreadRequest);
    });
    return { bytes, takeBack: () => claimJob(this.states, id, 'main') };
  }

  async close(): Promise<void> {
    this.failure ??= new Error('writer thread closed');
    await this.worker.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a writer thread for `formats` where the machine has a second core not already busy (see
 * `threadWanted`; `TENDERKIT_THREADS=1` forces it, `=0` keeps everything on one thread), else
 * returns undefined and the caller writes everything itself, the PDFs after the .docx files.
 *
 * The thread costs a second V8 heap and loads pdfmake and the fonts again: on the highway example
 * ~0.3 s more CPU and ~45 MB more peak RSS (186 MB against 140 MB). It runs from the bundle with its
 * own code cache, reads the fonts in part (fonts/sparse.ts), and the main thread takes back the
 * documents it has not begun, so on an idle 2-core machine the build is faster (973 ms against
 * 1120 ms in the README's benchmark run); see README “Performance”.
 */
export function startWriterThread(formats: readonly Format[]): WriterThread | undefined {
  if (!formats.length || !threadWanted()) return undefined;
  // Running from the TypeScript sources (vitest): the compiled worker may be older than the code
  // under test, so everything is written on this thread. The CLI (bin/, dist/) uses the thread.
  if (import.meta.url.endsWith('.ts')) return undefined;
  return new WriterThread(formats);
}
