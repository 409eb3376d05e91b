// Live previews off the main thread: each preview is rendered by the render pool's workers, through
// a queue of bounded length with a limit per client (remote address). When either is reached the
// caller gets `Busy` at once (the server answers 503 + Retry-After). Results are cached by the
// input's hash in a cache bounded in bytes, so a page reloaded or a form unchanged costs nothing.
import { createHash } from 'node:crypto';
import type { Preview } from './preview.js';
import { Busy } from './render-pool.js';

export interface PreviewQueueOptions {
  /** Previews waiting (not yet rendering) before new ones are refused. */
  readonly maxQueue?: number;
  /** Previews one client may have waiting or rendering at once. */
  readonly perClient?: number;
  /** Previews rendering at once (each takes a worker thread). */
  readonly concurrency?: number;
  /** Cache size in bytes (strings counted at two bytes per character). */
  readonly cacheBytes?: number;
  /**
   * A refusal (503) is answered after this many milliseconds: a client that ignores Retry-After
   * and asks again at once is slowed down instead of costing the server a request per millisecond.
   */
  readonly refuseDelayMs?: number;
}

/** A page render (the form page) goes before previews asked for by the live preview. */
export type Priority = 'page' | 'live';

interface Job {
  readonly key: string;
  readonly input: unknown;
  readonly priority: Priority;
  readonly waiters: { resolve: (p: Preview) => void; reject: (e: unknown) => void }[];
}

interface Cached {
  readonly preview: Preview;
  readonly bytes: number;
}

/** The memory a preview takes, roughly: its strings at two bytes per character. */
export function previewBytes(p: Preview): number {
  let n = 256;
  for (const d of p.docs) n += 2 * (d.html.length + d.title.length + d.id.length) + 64;
  for (const bag of [p.errors.byPath, p.warnings.byPath])
    for (const [k, msgs] of Object.entries(bag))
      n += 2 * (k.length + msgs.reduce((s, m) => s + m.length, 0)) + 32;
  for (const r of p.renderProblems) n += 2 * r.length + 16;
  return n;
}

export class PreviewQueue {
  private readonly waiting: Job[] = [];
  private readonly pending = new Map<string, Job>();
  private running = 0;
  private readonly perClientCount = new Map<string, number>();
  private readonly cache = new Map<string, Cached>();
  private cached = 0;
  readonly maxQueue: number;
  readonly perClient: number;
  readonly concurrency: number;
  readonly cacheLimit: number;
  readonly refuseDelayMs: number;

  constructor(
    private readonly render: (input: unknown) => Promise<Preview>,
    opts: PreviewQueueOptions = {},
  ) {
    this.maxQueue = opts.maxQueue ?? 12;
    this.perClient = opts.perClient ?? 3;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.cacheLimit = opts.cacheBytes ?? 32 * 2 ** 20;
    this.refuseDelayMs = opts.refuseDelayMs ?? 250;
  }

  /** `Busy`, after the refusal delay. */
  refuse(why: string): Promise<never> {
    return new Promise((_, reject) => setTimeout(() => reject(new Busy(why)), this.refuseDelayMs));
  }

  /** Bytes held by the cache (never more than the limit). */
  get cacheBytes(): number {
    return this.cached;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }

  /** Previews waiting or rendering. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Whether `client` is at its limit: a request may be refused before its body is read. */
  atLimit(client: string): boolean {
    return (this.perClientCount.get(client) ?? 0) >= this.perClient;
  }

  /** The cached preview of `input`, if any (marked as recently used). */
  peek(input: unknown): Preview | undefined {
    return this.hit(keyOf(input));
  }

  private hit(key: string): Preview | undefined {
    const c = this.cache.get(key);
    if (!c) return undefined;
    this.cache.delete(key);
    this.cache.set(key, c); // most recently used last
    return c.preview;
  }

  /**
   * The preview of `input`, from the cache or rendered in a worker. Refused with `Busy` when the
   * client has `perClient` previews under way or the queue is full.
   */
  get(input: unknown, client: string, priority: Priority = 'live'): Promise<Preview> {
    const key = keyOf(input);
    const hit = this.hit(key);
    if (hit) return Promise.resolve(hit);
    const n = this.perClientCount.get(client) ?? 0;
    if (n >= this.perClient) return this.refuse('client preview limit');
    const same = this.pending.get(key);
    if (!same && this.waiting.length >= this.maxQueue) return this.refuse('preview queue full');
    this.perClientCount.set(client, n + 1);
    const done = () => {
      const left = (this.perClientCount.get(client) ?? 1) - 1;
      if (left > 0) this.perClientCount.set(client, left);
      else this.perClientCount.delete(client);
    };
    return new Promise<Preview>((resolve, reject) => {
      const waiter = {
        resolve: (p: Preview) => {
          done();
          resolve(p);
        },
        reject: (e: unknown) => {
          done();
          reject(e);
        },
      };
      if (same) {
        same.waiters.push(waiter); // the same input is already on its way
        return;
      }
      const job: Job = { key, input, priority, waiters: [waiter] };
      this.pending.set(key, job);
      if (priority === 'page') {
        const at = this.waiting.findIndex((j) => j.priority !== 'page');
        this.waiting.splice(at < 0 ? this.waiting.length : at, 0, job);
      } else this.waiting.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running++;
      // Through a promise, so a render that throws at once still settles the job.
      Promise.resolve(job.input)
        .then((input) => this.render(input))
        .then(
          (p) => {
            this.store(job.key, p);
            this.finish(job);
            for (const w of job.waiters) w.resolve(p);
          },
          (e: unknown) => {
            this.finish(job);
            for (const w of job.waiters) w.reject(e);
          },
        );
    }
  }

  private finish(job: Job): void {
    this.running--;
    this.pending.delete(job.key);
    this.pump();
  }

  private store(key: string, p: Preview): void {
    const bytes = previewBytes(p);
    if (bytes > this.cacheLimit / 4) return; // one huge preview must not empty the cache
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.cached -= old.bytes;
    }
    this.cache.set(key, { preview: p, bytes });
    this.cached += bytes;
    for (const [k, c] of this.cache) {
      if (this.cached <= this.cacheLimit) break;
      this.cache.delete(k); // least recently used first
      this.cached -= c.bytes;
    }
  }
}

function keyOf(input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(input) ?? '')
    .digest('hex');
}
