// Breaks an outside tester found in the CLI's build and verify guarantees (README “Use” and
// “Printing”), kept as regression tests through the real CLI process on real folders.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-outside-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], cwd = tmp) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every entry of a folder with its bytes (folders as `/`), to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true }))
    out[e.name] = e.isDirectory() ? '/' : readFileSync(path.join(dir, e.name)).toString('base64');
  return out;
}

const bid = path.join(tmp, 'minimal.yaml');
const first = path.join(tmp, 'first'); // an earlier build: .docx and .html
beforeAll(() => {
  cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), bid);
  const r = cli(['build', bid, '--out', first, '--format', 'docx,html']);
  expect(r.code, r.err).toBe(0);
}, 180_000);

function copyOfFirst(name: string): string {
  const d = path.join(tmp, name);
  cpSync(first, d, { recursive: true });
  return d;
}

describe('a build removes only the earlier outputs it wrote, unchanged', () => {
  it('keeps an earlier output edited since, and a file a crafted manifest lists', () => {
    const dir = copyOfFirst('kept');
    const html = readdirSync(dir).find((f) => f.endsWith('.html'))!;
    writeFileSync(path.join(dir, html), '<p>签字版</p>');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.documents[0].outputs.push({
      file: 'notes.txt',
      format: 'html',
      bytes: 4,
      sha256: '0'.repeat(64),
    });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const r = cli(['build', bid, '--out', dir, '--format', 'docx']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(path.join(dir, html), 'utf8')).toBe('<p>签字版</p>');
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(r.err).toContain(`保留了 ${path.join(dir, html)}`);
    expect(r.err).not.toContain('notes.txt');
    // Unchanged earlier outputs are still removed.
    const others = readdirSync(first).filter((f) => f.endsWith('.html') && f !== html);
    for (const f of others) expect(existsSync(path.join(dir, f))).toBe(false);
  }, 120_000);

  it('never removes the bid file, whatever the manifest says', () => {
    const dir = path.join(tmp, 'here');
    mkdirSync(dir);
    const own = path.join(dir, 'bid.yaml');
    cpSync(bid, own);
    expect(cli(['build', own, '--out', dir, '--format', 'docx']).code).toBe(0);
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const text = readFileSync(own);
    m.documents[0].outputs.push({
      file: 'bid.yaml',
      format: 'docx',
      bytes: text.length,
      sha256: 'a'.repeat(64),
    });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const r = cli(['build', own, '--out', dir, '--format', 'docx']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(own)).toEqual(text);
  }, 120_000);

  it('leaves files of the user that only look like its temporary names', () => {
    const dir = copyOfFirst('tmpnames');
    writeFileSync(path.join(dir, '.tk-tmp-my-notes.txt'), 'mine');
    mkdirSync(path.join(dir, '.tk-tmp-backup'));
    writeFileSync(path.join(dir, '.tk-tmp-backup', 'contract.pdf'), 'x');
    writeFileSync(path.join(tmp, '.tk-tmp-beside.txt'), 'mine');
    const r = cli(['build', bid, '--out', dir, '--format', 'docx']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(path.join(dir, '.tk-tmp-my-notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(path.join(dir, '.tk-tmp-backup', 'contract.pdf'), 'utf8')).toBe('x');
    expect(readFileSync(path.join(tmp, '.tk-tmp-beside.txt'), 'utf8')).toBe('mine');
  }, 120_000);

  it('does not overwrite another tool’s manifest.json', () => {
    const dir = path.join(tmp, 'pwa');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'manifest.json'), '{"name":"my app","icons":[]}');
    const before = snapshot(dir);
    const r = cli(['build', bid, '--out', dir, '--format', 'docx']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('不是 TenderKit 构建记录的 manifest.json');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(before);
  }, 120_000);
});

describe('Ctrl-C during a build', () => {
  it('stops with 130, leaves the folder as it was and no staging behind', async () => {
    const dir = copyOfFirst('interrupted');
    const before = snapshot(dir);
    const staging = () => readdirSync(tmp).filter((f) => f.startsWith('.tk-tmp-'));
    const stagingBefore = staging(); // a user's own look-alike file, from a test above
    const child = spawn(process.execPath, [BIN, 'build', bid, '--out', dir], {
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let seenAtKill = '';
    child.stderr.setEncoding('utf8');
    // Interrupt once rendering has visibly started (its first progress line), not on a timer.
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (s: string) => {
        err += s;
        if (/\[1\/\d+\]/.test(err) && !child.killed) {
          seenAtKill = err;
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve(c));
    });
    // Only a build that had already written every file when the signal was sent may finish.
    const [, total] = /\[1\/(\d+)\]/.exec(seenAtKill)!;
    if (code === 0) return expect(seenAtKill).toContain(`[${total}/${total}]`);
    expect(code).toBe(130);
    expect(err).toContain('构建已中断');
    expect(snapshot(dir)).toEqual(before);
    expect(staging()).toEqual(stagingBefore);
  }, 120_000);
});

describe('build refuses, before any work', () => {
  it('a bid file that is not .yaml/.yml (verify could never check its build)', () => {
    const plain = path.join(tmp, '投标参数');
    cpSync(bid, plain);
    const r = cli(['build', plain, '--out', path.join(tmp, 'never')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('应是 .yaml 或 .yml 文件');
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('an empty --out', () => {
    const r = cli(['build', bid, '--out', '']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out 不能为空');
  });

  it('an output folder inside the package’s own templates/', () => {
    const target = path.join(ROOT, 'templates', 'tk-test-out');
    const r = cli(['build', bid, '--out', target, '--format', 'html']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('TenderKit 自带的文件模板（templates/）');
    expect(existsSync(target)).toBe(false);
  });
});

describe('verify', () => {
  it('reports a huge output file as changed without reading it (exit 1, no internal error)', () => {
    const dir = copyOfFirst('huge');
    const docx = readdirSync(dir).find((f) => f.endsWith('.docx'))!;
    rmSync(path.join(dir, docx));
    writeFileSync(path.join(dir, docx), '');
    truncateSync(path.join(dir, docx), 3 * 1024 ** 3); // sparse: no disk used
    const r = cli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(r.err + r.out).toContain(`输出文件 ${docx} 已被改动：现 3221225472 字节`);
    expect(r.err).not.toContain('内部错误');
  }, 120_000);

  it('says which input path it checked, not the manifest’s display name', () => {
    const dir = copyOfFirst('display');
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.bid.file = '/dev/zero';
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const r = cli(['verify', dir]);
    expect(r.out + r.err).not.toContain('/dev/zero 未改动');
    expect(r.out + r.err).toContain(`输入文件 ${bid} 未改动`);
  }, 120_000);
});

describe('a tender file that cannot be opened', () => {
  it('is located at the bid’s tender.file field', () => {
    const dir = path.join(tmp, 'tender');
    mkdirSync(dir);
    const file = path.join(dir, 'bid.yaml');
    const text = readFileSync(path.join(ROOT, 'examples', 'hospital-his.yaml'), 'utf8');
    expect(text).toMatch(/^\s+file: hospital-tender\.yaml$/m);
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => /^\s+file: hospital-tender\.yaml$/.test(l)) + 1;
    const r = cli(['lint', file]);
    expect(r.code).toBe(1);
    expect(r.err + r.out).toMatch(new RegExp(`bid\\.yaml:${line}:\\d+ tender\\.file`));
    expect(r.err + r.out).toContain('FileNotFound');
  }, 120_000);
});
