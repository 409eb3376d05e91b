// How bin/tenderkit.js starts the CLI: from the bundle when there is a current one, else from dist/.
//
// A cold command spends much of its time loading and compiling several hundred small modules
// (zod, yaml, nunjucks, the Markdown parser, ~150 of TenderKit's own). scripts/bundle.mjs (run by
// `npm install` and `npm run build`, after tsc) bundles dist/cli/main.js into one CommonJS file,
// dist/bundle/cli.js, whose modules are still initialised only when a command imports them. It is
// compiled here with V8's code cache: after a command's first run, the code V8 compiled for it is
// kept in the user's cache folder (src/library/cache.ts: `code-1/`, private to the user,
// checksummed, `TENDERKIT_CACHE=off` honoured) and later runs start from it instead of parsing and
// compiling again.
//
// The bundle is used only while it is current: dist/bundle/cli.json records the bundle's SHA-256
// and the size, modification time and SHA-256 of every file it was made from; if any file's content
// differs (dist/ rebuilt by `tsc` alone from changed sources, a package updated) or anything is
// missing, the CLI runs from dist/ as before. Output is the same either way (the same compiled
// modules run). `TENDERKIT_BUNDLE=off` runs from dist/ always, and so do the commands outside
// BUNDLED_COMMANDS. `TENDERKIT_DEBUG_LAUNCH=1` prints which was used (tests read it).
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { binaryCacheGet, binaryCachePut } from '../library/cache.js';
import { TOP_COMMANDS } from './commands.js';

export type Main = (argv: string[]) => Promise<number>;

/** dist/bundle/cli.js (from dist/cli/launch.js). */
export const BUNDLE_FILE = fileURLToPath(new URL('../bundle/cli.js', import.meta.url));

/** What scripts/bundle.mjs records beside the bundle (`cli.json`). */
export interface BundleStamp {
  /** SHA-256 of the bundle file. */
  readonly sha256: string;
  /** Every file the bundle was made from: path from the package root, size, mtime (ms), SHA-256. */
  readonly inputs: readonly (readonly [string, number, number, string])[];
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const off = (v: string | undefined) => v !== undefined && /^(off|0|false|no)$/i.test(v);

/** `TENDERKIT_BUNDLE=off`: everything runs from dist/. */
export const bundleOff = (): boolean => off(process.env.TENDERKIT_BUNDLE);

/**
 * Whether every input of the bundle still holds what it was made from: same size and time, or a
 * new time (tsc rewrites every file of dist/) and the same SHA-256.
 */
export function inputsUnchanged(stamp: BundleStamp, root: string): boolean {
  if (!Array.isArray(stamp.inputs) || !stamp.inputs.length) return false;
  // A few hundred files: path.join only where a path steps up (`..`), plain joining elsewhere.
  const up = /(?:^|[\\/])\.\.(?:[\\/]|$)/;
  for (const [rel, size, mtime, hash] of stamp.inputs) {
    const file =
      up.test(rel) || path.isAbsolute(rel) ? path.join(root, rel) : root + path.sep + rel;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st || st.size !== size) return false;
    if (st.mtimeMs !== mtime && sha256(readFileSync(file)) !== hash) return false;
  }
  return true;
}

export interface Bundled {
  readonly main: Main;
  /** Everything the bundle exports (src/cli/main.ts's exports). */
  readonly exports: Readonly<Record<string, unknown>>;
  /** How the code was compiled: from the code cache, or not (none, refused by V8, or cache off). */
  readonly codeCache: 'used' | 'none' | 'rejected' | 'off';
  /** Keeps the code V8 compiled during this run, when there was no usable entry (call at the end). */
  saveCodeCache(): void;
}

/**
 * The CLI's `main` from the bundle, or undefined when there is no current bundle. `command`
 * separates code cache entries: each command keeps the code its own first run compiled (see
 * `cacheName`).
 */
export function loadBundle(command: string, file: string = BUNDLE_FILE): Bundled | undefined {
  let source: Buffer;
  let stamp: BundleStamp;
  try {
    stamp = JSON.parse(readFileSync(file.replace(/\.js$/, '.json'), 'utf8')) as BundleStamp;
    // The bundle sits two folders below the package root (dist/bundle/), as dist/cli/ does. Its
    // inputs first: when dist/ was rebuilt from other sources, that is the cheaper answer.
    if (!inputsUnchanged(stamp, path.resolve(path.dirname(file), '..', '..'))) return undefined;
    source = readFileSync(file);
  } catch {
    return undefined;
  }
  const sha = sha256(source);
  if (stamp.sha256 !== sha) return undefined;

  const cacheOff = off(process.env.TENDERKIT_CACHE);
  const key = sha256(
    ['tenderkit-code-2', sha, process.version, process.arch, command, ...process.execArgv].join(
      '\0',
    ),
  );
  const cachedData = cacheOff ? undefined : binaryCacheGet('code-1', key);
  let script: vm.Script;
  let exports: { main?: Main };
  try {
    ({ script, exports } = run(file, source, cachedData));
  } catch {
    return undefined; // a bundle that does not load: dist/ instead
  }
  const main = exports.main;
  if (typeof main !== 'function') return undefined;
  const rejected = Boolean(cachedData) && script.cachedDataRejected === true;
  return {
    main,
    exports,
    codeCache: cacheOff ? 'off' : !cachedData ? 'none' : rejected ? 'rejected' : 'used',
    saveCodeCache() {
      if (cacheOff || (cachedData && !rejected)) return;
      binaryCachePut('code-1', key, script.createCachedData());
    },
  };
}

/** Compiles and runs the bundle (its top level only defines its modules) and returns its exports. */
function run(file: string, source: Buffer, cachedData: Buffer | undefined) {
  // Node's own CommonJS wrapper, so the bundle sees what a CommonJS module sees.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${source.toString(isAscii(source) ? 'latin1' : 'utf8')}\n})`,
    {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
      // A dynamic import() in the bundle (none today) resolves as it would in a module of dist/.
      importModuleDynamically: (
        vm as unknown as { constants: { USE_MAIN_CONTEXT_DEFAULT_LOADER: symbol } }
      ).constants.USE_MAIN_CONTEXT_DEFAULT_LOADER as never,
    },
  );
  const wrapper = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} as { main?: Main } };
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
  );
  return { script, exports: module.exports };
}

/**
 * The commands run from the bundle (each keeps its own code cache entry). The others run from
 * dist/: `serve` (a long-running process), and help, version and mistyped commands, which load
 * almost nothing, so reading the bundle would cost more than it saves.
 */
export const BUNDLED_COMMANDS: ReadonlySet<string> = new Set<string>(
  TOP_COMMANDS.filter((c) => c !== 'serve'),
);

/**
 * What names a command's code cache entry: the command, and for `build` its formats, so a build of
 * .docx and .pdf does not start from the code an HTML-only build compiled.
 */
export function cacheName(argv: readonly string[]): string {
  const [command = ''] = argv;
  return command === 'build' ? `build ${buildFormats(argv) ?? ''}` : command;
}

/** A build's `--format` as given (`docx,pdf` when absent), read before the command parses it. */
function buildFormats(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--format' || a.startsWith('--format='));
  return i < 0 ? 'docx,pdf' : argv[i]!.startsWith('--format=') ? argv[i]!.slice(9) : argv[i + 1];
}

/** Runs the CLI with `argv` (bin/tenderkit.js). */
export async function launch(argv: string[]): Promise<number> {
  const command = argv[0] ?? '';
  const help = argv.includes('--help') || argv.includes('-h');
  // A build that writes PDFs: their thread starts now, while this one loads (writers/thread-start.ts).
  if (command === 'build' && !help && buildFormats(argv)?.split(',').includes('pdf')) {
    const { startEarlyThread, threadWanted } = await import('../writers/thread-start.js');
    if (threadWanted()) startEarlyThread(['pdf']);
  }
  const bundled =
    BUNDLED_COMMANDS.has(command) && !help && !bundleOff()
      ? loadBundle(cacheName(argv))
      : undefined;
  if (process.env.TENDERKIT_DEBUG_LAUNCH)
    process.stderr.write(
      `[launch] ${bundled ? `bundle, code cache ${bundled.codeCache}` : 'dist'}\n`,
    );
  const main = bundled?.main ?? (await import('./main.js')).main;
  const code = await main(argv);
  bundled?.saveCodeCache();
  return code;
}
