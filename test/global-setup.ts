// Runs once before any test file (vitest.config.ts `globalSetup`): the tests that start the real CLI
// or server run bin/tenderkit.js, which runs dist/ (the CLI from dist/bundle/ when it is current). `npm test` builds it first (pretest); a bare
// `npx vitest run` after a source change would test a stale build, so it is rebuilt here when a
// source file is newer than it. Building once here, not in a test file, also means no test file
// rewrites dist/ while another one (in a parallel worker) runs the CLI from it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'dist', 'cli', 'main.js');

/** The newest modification time of the files the build reads (sources, tsconfig, package.json). */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
        newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json'])
    newest = Math.max(newest, statSync(path.join(ROOT, f)).mtimeMs);
  return newest;
}

/** The CLI bundle's record (scripts/bundle.mjs, src/cli/launch.ts), made after dist/. */
const BUNDLE_STAMP = path.join(ROOT, 'dist', 'bundle', 'cli.json');

export default function setup(): void {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSource()) {
    // The project's own build script, tsc and then the bundle (type errors elsewhere in the tree
    // still emit JavaScript, so only a missing output counts).
    spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing after \`npm run build\``);
  }
  // dist/ rebuilt by tsc alone: the bundle too, so the CLI the tests start runs from it.
  if (!existsSync(BUNDLE_STAMP) || statSync(BUNDLE_STAMP).mtimeMs < statSync(BUILT).mtimeMs)
    spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
}
