// The writer thread's entry (see thread.ts). Its code comes from the CLI's bundle with V8's code
// cache when the bundle is current (src/cli/launch.ts; the cache entry `writer-thread` is kept
// after the first document this thread writes), else from dist/ as compiled: the same code.
import { bundleOff, loadBundle } from '../cli/launch.js';
import type { runWriterThread as Run } from './thread-run.js';

const bundled = bundleOff() ? undefined : loadBundle('writer-thread');
const run = bundled?.exports.runWriterThread as typeof Run | undefined;
if (typeof run === 'function') await run(() => bundled!.saveCodeCache());
else await (await import('./thread-run.js')).runWriterThread();
