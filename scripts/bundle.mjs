// Bundles the compiled CLI (dist/cli/main.js, so run it after tsc) into one CommonJS file,
// dist/bundle/cli.js, which bin/tenderkit.js runs with V8's code cache (see src/cli/launch.ts).
// Beside it, dist/bundle/cli.json records the bundle's SHA-256 and the size, modification time and
// SHA-256 of every file it was made from: when any of them changes (dist/ rebuilt by tsc alone from
// other sources, a package updated), the CLI runs from dist/ until this script runs again.
//
// Each module of the bundle is initialised when first imported, as in dist/: a command loads only
// what it runs. Packages that read files beside their own code (pdfmake and pdfkit's font data), a
// native module (resvg) and the server's packages stay outside, required when first used, as are
// Node's built-in modules (`node:…`).
//
// The bundler, rolldown, is installed with vitest (a development dependency): where it is missing
// (an install without development dependencies), no bundle is made and the CLI runs from dist/.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'bundle');
const ENTRY = path.join(ROOT, 'dist', 'cli', 'main.js');
/** Required from node_modules when first used, not bundled. */
const OUTSIDE = [
  'pdfmake',
  'pdfkit',
  'fontkit',
  '@resvg/resvg-js',
  'express',
  'helmet',
  'openid-client',
  'piscina',
];
const outside = (id) =>
  OUTSIDE.some((p) => id === p || id.startsWith(`${p}/`)) ||
  // Node's own modules too: then `lint` loads neither worker_threads nor zlib.
  (id.startsWith('node:') && isBuiltin(id));
const LAZY = '\0tenderkit-lazy:';

/**
 * The code with every non-ASCII character written as a \\u escape: Node then reads the file as a
 * one-byte string (no UTF-8 decoding, half the memory). JavaScript reads such an escape as the
 * character in identifiers, strings, template literals, regular expressions (with or without the
 * `u` flag, a surrogate pair included) and comments; a character escaped by an odd run of
 * backslashes (`\\—`, an identity escape) loses that backslash, which changes nothing. Only the
 * raw text of a tagged template would differ: the bundle's one `String.raw` is checked to be ASCII.
 */
function toAscii(code) {
  for (const m of code.matchAll(/String\.raw`[^`]*`/g))
    if (/[^\x00-\x7f]/.test(m[0])) throw new Error('a String.raw template holds non-ASCII text');
  return code.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, c) => {
    const kept = slashes.length % 2 ? slashes.slice(1) : slashes;
    return `${kept}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function removeBundle() {
  for (const f of ['cli.js', 'cli.json']) rmSync(path.join(OUT, f), { force: true });
}

let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  removeBundle();
  console.error('bundle: rolldown is not installed; the CLI runs from dist/ (no bundle made).');
  process.exit(0);
}

try {
  const bundle = await rolldown({
    input: { cli: ENTRY },
    platform: 'node',
    logLevel: 'warn',
    plugins: [
      {
        // docx names each image by its SHA-1, computed in JavaScript (~20 ms of a cold build for
        // the figures of one bid); Node's own SHA-1 gives the same hex digest. Where docx's code
        // is not as expected (another version), it is bundled unchanged.
        name: 'tenderkit-native-sha1',
        transform(code, id) {
          if (!/[\\/]node_modules[\\/]docx[\\/]dist[\\/]index\.mjs$/.test(id)) return null;
          const js =
            /var hashedId = \(data\) => Array\.from\(sha1\((.+?)\), \(byte\) => byte\.toString\(16\)\.padStart\(2, "0"\)\)\.join\(""\);/;
          if (!js.test(code)) {
            console.error('bundle: docx hashes images in its own way; its SHA-1 left as it is.');
            return null;
          }
          return {
            code:
              `import { createHash as tenderkitCreateHash } from 'node:crypto';\n` +
              code.replace(
                js,
                'var hashedId = (data) => tenderkitCreateHash("sha1").update($1).digest("hex");',
              ),
            map: null,
          };
        },
      },
      {
        // `import x from 'pdfmake'` becomes a small CommonJS module that requires it: bundled
        // modules are initialised lazily, so the require runs only when its importer is first used
        // (a package marked external would be required when the bundle starts).
        name: 'tenderkit-lazy-outside',
        resolveId(id, importer) {
          if (!outside(id)) return null;
          if (importer?.startsWith(LAZY)) return { id, external: true };
          return `${LAZY}${id}`;
        },
        load(id) {
          if (!id.startsWith(LAZY)) return null;
          return {
            code: `module.exports = require(${JSON.stringify(id.slice(LAZY.length))});\n`,
            moduleType: 'js',
          };
        },
      },
    ],
  });
  const { output } = await bundle.generate({ format: 'cjs', codeSplitting: false });
  await bundle.close();
  const chunks = output.filter((o) => o.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`expected one chunk, got ${chunks.length}`);
  const [chunk] = chunks;
  const code = Buffer.from(toAscii(chunk.code), 'latin1');
  const sha256 = (b) => createHash('sha256').update(b).digest('hex');
  // Every module bundled, and package.json (its version is part of every cache key).
  const inputs = [
    ...chunk.moduleIds.filter((id) => path.isAbsolute(id)),
    path.join(ROOT, 'package.json'),
  ].map((file) => {
    const st = statSync(file);
    return [path.relative(ROOT, file), st.size, st.mtimeMs, sha256(readFileSync(file))];
  });
  const stamp = { sha256: sha256(code), inputs };
  mkdirSync(OUT, { recursive: true });
  const tmp = (f) => path.join(OUT, `.${f}.${process.pid}.tmp`);
  writeFileSync(tmp('cli.js'), code);
  writeFileSync(tmp('cli.json'), `${JSON.stringify(stamp)}\n`);
  // The bundle first: between the two renames the old stamp does not match it (dist/ is used).
  renameSync(tmp('cli.js'), path.join(OUT, 'cli.js'));
  renameSync(tmp('cli.json'), path.join(OUT, 'cli.json'));
  const kb = (readFileSync(path.join(OUT, 'cli.js')).length / 1024).toFixed(0);
  console.error(`bundle: dist/bundle/cli.js (${kb} KB, ${inputs.length} files)`);
} catch (e) {
  removeBundle();
  // Never fails the install: the CLI runs from dist/ without it.
  console.error(`bundle: not made (${e.message.split('\n')[0]}); the CLI runs from dist/.`);
}
