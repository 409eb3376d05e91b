// A bounded pool of render workers: a few threads, a short queue, a time limit per render.
// When the queue is full the caller gets `Busy` at once (the server answers 503 + Retry-After).
// Previews (short, someone is waiting at the screen) go before queued PDF builds.
import path from 'node:path';
import { Piscina } from 'piscina';
import { PACKAGE_ROOT } from '../library/library.js';
import type { BuildResult, Task, WorkerSetup } from './render-worker.js';
import type { Preview } from './preview.js';
import type { DocumentId } from '../schema/bid.js';

type Queued = ConstructorParameters<typeof Piscina>[0] extends infer O
  ? O extends { taskQueue?: infer Q }
    ? Q extends { push(t: infer T): void }
      ? T
      : never
    : never
  : never;

const isPreview = (t: Queued) => (t as { task?: Task }).task?.kind === 'preview';

/** Piscina's task queue with previews first, each kind in arrival order. */
class PreviewFirstQueue {
  private readonly previews: Queued[] = [];
  private readonly others: Queued[] = [];
  /** Builds waiting for a thread. */
  get builds(): number {
    return this.others.length;
  }
  get size(): number {
    return this.previews.length + this.others.length;
  }
  shift(): Queued | null {
    return this.previews.shift() ?? this.others.shift() ?? null;
  }
  push(t: Queued): void {
    (isPreview(t) ? this.previews : this.others).push(t);
  }
  unshift(t: Queued): void {
    (isPreview(t) ? this.previews : this.others).unshift(t);
  }
  remove(t: Queued): void {
    for (const q of [this.previews, this.others]) {
      const i = q.indexOf(t);
      if (i >= 0) q.splice(i, 1);
    }
  }
}

export class Busy extends Error {}
export class TimedOut extends Error {}

export interface PoolOptions {
  readonly threads?: number;
  readonly maxQueue?: number;
  readonly timeoutMs?: number;
  /** Time limit of one preview (default 10 s). */
  readonly previewTimeoutMs?: number;
  /**
   * The company workspace's folder: each worker opens it and renders with its library, house style
   * and company profile (render-worker.ts). Absent: the built-in library and style.
   */
  readonly workspaceRoot?: string;
}

export class RenderPool {
  private readonly pool: Piscina;
  private readonly timeoutMs: number;
  private readonly previewTimeoutMs: number;
  readonly threadCount: number;
  /** The workspace folder the workers render in (PoolOptions.workspaceRoot). */
  readonly workspaceRoot?: string;
  private readonly maxQueue: number;
  private readonly queue = new PreviewFirstQueue();

  constructor(opts: PoolOptions = {}) {
    const threads = opts.threads ?? 2;
    if (opts.workspaceRoot) this.workspaceRoot = opts.workspaceRoot;
    this.threadCount = threads;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.previewTimeoutMs = opts.previewTimeoutMs ?? 10_000;
    this.maxQueue = opts.maxQueue ?? 8;
    this.pool = new Piscina({
      // Always the compiled worker: vitest runs TypeScript sources, workers need JavaScript.
      filename: path.join(PACKAGE_ROOT, 'dist', 'server', 'render-worker.js'),
      minThreads: threads,
      maxThreads: threads,
      // Room for the previews too (at most one per thread is under way: preview-queue.ts); builds
      // are held to `maxQueue` by `saturated`.
      maxQueue: this.maxQueue + threads,
      idleTimeout: 60_000,
      taskQueue: this.queue,
      workerData: (opts.workspaceRoot
        ? { workspaceRoot: opts.workspaceRoot }
        : {}) satisfies WorkerSetup,
    });
  }

  async warmup(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.pool.threads.length || 1 }, () =>
        this.pool.run({ kind: 'warmup' } satisfies Task),
      ),
    );
  }

  /** True when a new task would be refused: callers answer 503 before doing any work. */
  get saturated(): boolean {
    return this.queue.builds >= this.maxQueue;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.inFlight;
  }

  private inFlight = 0;

  private async run<T>(task: Task, timeoutMs = this.timeoutMs): Promise<T> {
    if (task.kind === 'build' && this.saturated) throw new Busy('render queue full');
    const signal = AbortSignal.timeout(timeoutMs);
    this.inFlight++;
    try {
      return (await this.pool.run(task, { signal })) as T;
    } catch (e) {
      const msg = String((e as Error).message);
      if (/queue is at limit/i.test(msg)) throw new Busy('render queue full');
      if ((e as Error).name === 'AbortError' || signal.aborted)
        throw new TimedOut('render timed out');
      throw e;
    } finally {
      this.inFlight--;
    }
  }

  build(
    file: string,
    displayName: string,
    formats: BuildResultFormats,
    only?: DocumentId[],
  ): Promise<BuildResult> {
    return this.run({ kind: 'build', file, displayName, formats, only });
  }

  /** Validates and renders a live preview in a worker (the caller queues: preview-queue.ts). */
  preview(input: unknown): Promise<Preview> {
    return this.run({ kind: 'preview', input }, this.previewTimeoutMs);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

type BuildResultFormats = ('docx' | 'pdf' | 'html')[];
