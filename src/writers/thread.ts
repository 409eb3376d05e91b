// A second thread that writes documents (IR in, file bytes out), so a build's PDFs are made while
// the main thread renders the bid and writes the .docx files. The thread loads its writer and warms
// the fonts as soon as it starts, which overlaps the main thread's loading and rendering.
//
// Output is the same as on the main thread: each writer is a pure function of the document (the
// tests compare both byte for byte). Used only where it pays: at least two CPUs.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { sharedFontData, type FontKey } from '../fonts/files.js';
import type { Document } from '../ir/types.js';
import type { Format } from './types.js';

/** Always the compiled worker (from src/ and dist/ alike): worker threads run JavaScript. */
const WORKER_FILE = new URL('../../dist/writers/thread-worker.js', import.meta.url);

export interface ThreadRequest {
  readonly id: number;
  readonly format: Format;
  readonly doc: Document;
}

export type ThreadReply =
  | { readonly id: number; readonly bytes: Uint8Array }
  | { readonly id: number; readonly diagnostics: readonly Diagnostic[] }
  | { readonly id: number; readonly error: string; readonly stack?: string };

export interface WorkerData {
  /** The formats to load and warm up before the first request. */
  readonly warm: readonly Format[];
  /** The font files, shared with this thread instead of read again (PDF only). */
  readonly fonts?: Readonly<Record<FontKey, SharedArrayBuffer>>;
}

export class WriterThread implements AsyncDisposable {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (b: Buffer) => void; reject: (e: unknown) => void }
  >();
  private next = 0;
  private failure: Error | undefined;

  constructor(readonly formats: readonly Format[]) {
    const workerData: WorkerData = {
      warm: formats,
      ...(formats.includes('pdf') ? { fonts: sharedFontData() } : {}),
    };
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
      if ('bytes' in m) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length));
      else if ('diagnostics' in m) p.reject(new TenderKitError(m.diagnostics));
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
      this.pending.set(id, { resolve, reject });
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
 * Starts a writer thread for `formats` when this machine has a CPU to spare for it, else returns
 * undefined (the caller writes everything itself). `TENDERKIT_THREADS=0` turns threads off.
 */
export function startWriterThread(formats: readonly Format[]): WriterThread | undefined {
  if (!formats.length || process.env.TENDERKIT_THREADS === '0') return undefined;
  // Running from the TypeScript sources (vitest): the compiled worker may be older than the code
  // under test, so everything is written on this thread. The CLI (bin/, dist/) uses the thread.
  if (import.meta.url.endsWith('.ts')) return undefined;
  if (os.availableParallelism() < 2 && process.env.TENDERKIT_THREADS !== '1') return undefined;
  return new WriterThread(formats);
}
