// A second thread that writes documents (IR in, file bytes out), so a build's PDFs are made while
// the main thread renders the bid and writes the .docx files. The thread loads its writer and warms
// the fonts as soon as it starts, which overlaps the main thread's loading and rendering.
//
// Output is the same as on the main thread: each writer is a pure function of the document (the
// tests compare both byte for byte). Used when asked for (TENDERKIT_THREADS=1, see below).
import { Worker } from 'node:worker_threads';
import { TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Document } from '../ir/types.js';
import type { PdfPages } from './docx/pagination.js';
import { recordPdfPages } from './pdf-pages.js';
import type { Format } from './types.js';

/** Always the compiled worker (from src/ and dist/ alike): worker threads run JavaScript. */
const WORKER_FILE = new URL('../../dist/writers/thread-worker.js', import.meta.url);

export interface ThreadRequest {
  readonly id: number;
  readonly format: Format;
  readonly doc: Document;
}

export type ThreadReply =
  | { readonly id: number; readonly bytes: Uint8Array; readonly pages?: PdfPages }
  | { readonly id: number; readonly diagnostics: readonly Diagnostic[] }
  | { readonly id: number; readonly error: string; readonly stack?: string };

export interface WorkerData {
  /** The formats to load and warm up before the first request. */
  readonly warm: readonly Format[];
}

export class WriterThread implements AsyncDisposable {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { doc: Document; resolve: (b: Buffer) => void; reject: (e: unknown) => void }
  >();
  private next = 0;
  private failure: Error | undefined;

  constructor(readonly formats: readonly Format[]) {
    const workerData: WorkerData = { warm: formats };
    this.worker = new Worker(WORKER_FILE, {
      workerData,
      // A young generation of 8 MB semi-spaces instead of 16: ~17 MB less peak RSS, same speed.
      resourceLimits: { maxYoungGenerationSizeMb: 24 },
    });
    this.worker.unref(); // never keeps the process alive on its own
    this.worker.on('message', (m: ThreadReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('bytes' in m) {
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

  write(format: Format, doc: Document): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { doc, resolve, reject });
      this.worker.postMessage({ id, format, doc } satisfies ThreadRequest);
    });
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
 * Starts a writer thread for `formats` when asked for (`TENDERKIT_THREADS=1`), else returns
 * undefined and the caller writes everything itself, the PDFs after the .docx files.
 *
 * One thread is the default: the second one loads pdfmake and the fonts again and warms up, a
 * second V8 heap, which made a build of the highway example cost ~1.5 s more CPU and ~65 MB more
 * peak RSS (311 MB against 245 MB, over the 250 MB target) and, on this 2-core machine shared
 * with other work, was no faster (3.18 s against 2.93 s wall, median of 7 interleaved runs; see
 * README “Performance”). On a machine with cores to spare it may still pay: hence the switch.
 */
export function startWriterThread(formats: readonly Format[]): WriterThread | undefined {
  if (!formats.length || process.env.TENDERKIT_THREADS !== '1') return undefined;
  // Running from the TypeScript sources (vitest): the compiled worker may be older than the code
  // under test, so everything is written on this thread. The CLI (bin/, dist/) uses the thread.
  if (import.meta.url.endsWith('.ts')) return undefined;
  return new WriterThread(formats);
}
