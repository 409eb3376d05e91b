// A copy of the installed package in which the built-in Noto Serif SC is a file of its own, to
// damage without touching this project's node_modules (test/outside-threads.test.ts,
// test/outside-ttc.test.ts).
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

/**
 * A light copy of the package under `parent/name`: its own code and a real copy of Noto Serif SC,
 * every other package a symbolic link to this project's node_modules. `bin` runs it; `regular` is
 * the serif regular font file to damage.
 */
export function packageWithOwnSerif(
  parent: string,
  name: string,
): { bin: string; regular: string } {
  const root = path.join(parent, name);
  mkdirSync(path.join(root, 'node_modules', '@expo-google-fonts'), { recursive: true });
  for (const f of ['bin', 'dist', 'clauses', 'templates', 'examples', 'web', 'package.json'])
    cpSync(path.join(ROOT, f), path.join(root, f), { recursive: true });
  for (const e of readdirSync(path.join(ROOT, 'node_modules')))
    if (e !== '@expo-google-fonts')
      symlinkSync(path.join(ROOT, 'node_modules', e), path.join(root, 'node_modules', e));
  const fonts = path.join(ROOT, 'node_modules', '@expo-google-fonts');
  const own = path.join(root, 'node_modules', '@expo-google-fonts');
  symlinkSync(path.join(fonts, 'noto-sans-sc'), path.join(own, 'noto-sans-sc'));
  cpSync(path.join(fonts, 'noto-serif-sc'), path.join(own, 'noto-serif-sc'), { recursive: true });
  return {
    bin: path.join(root, 'bin', 'tenderkit.js'),
    regular: path.join(own, 'noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf'),
  };
}

/** `font` (a single TrueType font) with table `tag` zeroed: same size, the directory intact. */
export function zeroTable(font: Buffer, tag: string): Buffer {
  const b = Buffer.from(font);
  for (let i = 0; i < b.readUInt16BE(4); i++) {
    const p = 12 + 16 * i;
    if (b.toString('latin1', p, p + 4) !== tag) continue;
    const at = b.readUInt32BE(p + 8);
    return b.fill(0, at, at + b.readUInt32BE(p + 12));
  }
  throw new Error(`no ${tag} table`);
}
