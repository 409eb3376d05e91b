// A bounded pool of render workers: a few threads, a short queue, a time limit per render.
// When the queue is full the caller gets `Busy` at once (the server answers 503 + Retry-After).
import path from 'node:path';
import { Piscina } from 'piscina';
import { PACKAGE_ROOT } from '../library/library.js';
import type { BuildResult, Task } from './render-worker.js';
import type { DocumentId } from '../schema/bid.js';

export class Busy extends Error {}
export class TimedOut extends Error {}

export interface PoolOptions {
  readonly threads?: number;
  readonly maxQueue?: number;
  readonly timeoutMs?: number;
}

export class RenderPool {
  private readonly pool: Piscina;
  private readonly timeoutMs: number;

  constructor(opts: PoolOptions = {}) {
    const threads = opts.threads ?? 2;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.pool = new Piscina({
      // Always the compiled worker: vitest runs TypeScript sources, workers need JavaScript.
      filename: path.join(PACKAGE_ROOT, 'dist', 'server', 'render-worker.js'),
      minThreads: threads,
      maxThreads: threads,
      maxQueue: opts.maxQueue ?? 8,
      idleTimeout: 60_000,
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
    return this.pool.queueSize >= this.pool.options.maxQueue;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.inFlight;
  }

  private inFlight = 0;

  private async run<T>(task: Task): Promise<T> {
    if (this.saturated) throw new Busy('render queue full');
    const signal = AbortSignal.timeout(this.timeoutMs);
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

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

type BuildResultFormats = ('docx' | 'pdf' | 'html')[];
