// A signal that reaches a build after its files are moved in must not end the process with
// 130/143 (a script would read “folder unchanged” while it holds the new build): once a build has
// committed, the CLI ignores SIGINT and SIGTERM until the process exits. Timing makes this hard to
// hit from outside (test/outside-cli.test.ts covers signals during the build), so it is checked
// here on the listeners main leaves behind.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { exampleFile } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...argv: string[]) => main(argv, { out: () => {}, err: () => {} });
const count = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');

describe('signals around a build', () => {
  it('a failed build leaves no listener; a finished one leaves one ignoring each signal, once', async () => {
    const before = count();
    const bad = await run('build', path.join(tmp, 'missing.yaml'), '--out', path.join(tmp, 'x'));
    expect(bad).toBe(1);
    expect(count()).toBe(before);
    const ok = await run(
      'build',
      exampleFile('minimal'),
      '--out',
      path.join(tmp, 'a'),
      '--format',
      'html',
    );
    expect(ok).toBe(0);
    expect(count()).toBe(before + 2);
    // The listener left behind does nothing: calling it neither exits nor throws.
    const last = process.listeners('SIGINT').at(-1)!;
    expect(() => last('SIGINT')).not.toThrow();
    // A second build adds no more.
    expect(
      await run('build', exampleFile('minimal'), '--out', path.join(tmp, 'b'), '--format', 'html'),
    ).toBe(0);
    expect(count()).toBe(before + 2);
  });
});
