// Two modules the PDF libraries load eagerly and TenderKit never runs: fontkit's Brotli decoder
// (only for WOFF2 fonts; its dictionary is a 740 KB script) and pdfkit's AES ciphers (only for
// encrypted PDFs, which build their tables when loaded) — ~50 ms of every cold PDF build. Before
// pdfmake is loaded, each is put in Node's module cache as a stand-in that loads the real module
// the first time it is used, so nothing changes for a caller that does use it. Called before
// fontkit is first required (parsed.ts) and imported by the PDF writer before pdfmake; where a
// module is not where pdfkit and fontkit find it (another layout of node_modules), nothing is done.
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cache = (Module as unknown as { _cache: Record<string, NodeJS.Module | undefined> })._cache;

/** The real module behind a stand-in: loaded on first use, from its own file. */
function loader(file: string): () => unknown {
  let real: unknown;
  return () => {
    if (real === undefined) {
      if (cache[file]?.exports === standIns.get(file)) delete cache[file];
      real = require(file);
    }
    return real;
  };
}

const standIns = new Map<string, unknown>();

function standIn(pkg: string, request: string, kind: 'function' | 'object'): void {
  let file: string;
  try {
    file = createRequire(require.resolve(pkg)).resolve(request);
  } catch {
    return;
  }
  if (cache[file]) return; // already loaded: nothing to save
  const real = loader(file);
  const exports =
    kind === 'function'
      ? (...args: unknown[]) => (real() as (...a: unknown[]) => unknown)(...args)
      : new Proxy(
          {},
          {
            get: (_, key) => (real() as Record<string | symbol, unknown>)[key],
            has: (_, key) => key in (real() as object),
          },
        );
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  cache[file] = m;
  standIns.set(file, exports);
}

let done = false;

/** Puts the stand-ins in place (once; not with `TENDERKIT_PDF_PLAIN=1`). */
export function standInUnusedModules(): void {
  if (done || process.env.TENDERKIT_PDF_PLAIN === '1') return;
  done = true;
  standIn('fontkit', 'brotli/decompress.js', 'function');
  standIn('pdfkit', '@noble/ciphers/aes', 'object');
}

standInUnusedModules();
