// Starting the writer thread (thread.ts): whether to, and the Worker itself, in a module that
// imports nothing of TenderKit's, so the CLI can start the thread the moment it sees a build that
// writes PDFs (src/cli/launch.ts), before it loads the bundle and parses the bid; the build then
// takes that thread over (`takeEarlyThread`) instead of starting its own. The thread's first
// ~0.3 s (Node's bootstrap, its code, the fonts) then overlap the main thread's own loading.
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Format } from './types.js';

/** Jobs whose writer the two threads settle in shared memory; later ones stay with the thread. */
export const JOB_SLOTS = 256;

/** Always the compiled worker (from src/ and dist/ alike): worker threads run JavaScript. */
const WORKER_FILE = new URL('../../dist/writers/thread-worker.js', import.meta.url);

/** What the thread is started with. */
export interface WorkerData {
  /** The formats to load and warm up before the first request. */
  readonly warm: readonly Format[];
  /** Who writes each job (`JOB_SLOTS` Int32 states, by job id): see `claimJob` in thread.ts. */
  readonly jobs: SharedArrayBuffer;
}

export interface StartedThread {
  readonly worker: Worker;
  readonly states: Int32Array;
  readonly formats: readonly Format[];
}

/**
 * Whether a build writes on a second thread: where the machine has a second core that is not
 * already spoken for, or when `TENDERKIT_THREADS=1` asks for it; `TENDERKIT_THREADS=0` keeps
 * everything on one thread. "Spoken for": the load average of the last minute is at least 1.5
 * runnable processes per core — measured on the 2-core machine at load averages of 4–6.5, the
 * thread made the highway build ~0.4 s slower (1.83 against 1.43 s, 16 interleaved pairs), while
 * idle it is ~0.2 s faster. (Where the system gives no load average, as on Windows, it reads 0.)
 */
export function threadWanted(
  asked = process.env.TENDERKIT_THREADS,
  cores = availableParallelism(),
  load = loadavg()[0]!,
): boolean {
  if (asked === '1' || asked === '0') return asked === '1';
  return cores > 1 && load < 1.5 * cores;
}

export function startThread(formats: readonly Format[]): StartedThread {
  const states = new Int32Array(new SharedArrayBuffer(JOB_SLOTS * 4));
  const workerData: WorkerData = { warm: formats, jobs: states.buffer as SharedArrayBuffer };
  const worker = new Worker(WORKER_FILE, {
    workerData,
    // A young generation of 8 MB semi-spaces instead of 16: ~17 MB less peak RSS, same speed.
    resourceLimits: { maxYoungGenerationSizeMb: 24 },
  });
  worker.unref(); // never keeps the process alive on its own
  return { worker, states, formats };
}

/**
 * Where the early thread waits to be taken over: a global, because the CLI starts it from dist/
 * and the build (in the bundle) holds its own copy of this module.
 */
const EARLY = Symbol.for('tenderkit.early-writer-thread');
const slot = globalThis as { [EARLY]?: StartedThread };

/** Starts the thread for `formats` now, for the build to take over (the CLI, before the bundle). */
export function startEarlyThread(formats: readonly Format[]): void {
  slot[EARLY] ??= startThread(formats);
}

/**
 * The thread started early for exactly `formats`, now the caller's; one started for other formats
 * is stopped. Undefined when there is none.
 */
export function takeEarlyThread(formats: readonly Format[]): StartedThread | undefined {
  const early = slot[EARLY];
  delete slot[EARLY];
  if (!early) return undefined;
  if (early.formats.join() === formats.join()) return early;
  void early.worker.terminate();
  return undefined;
}
