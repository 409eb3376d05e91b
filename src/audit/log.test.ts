// The audit log's hash chain: appends from several writers (this process and two others at once)
// form one unbroken chain, and every kind of tampering is found at the right line.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, checkChain, GENESIS } from './log.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

/** Rewrites line `n` (1-based) with `edit`, optionally recomputing its own hash afterwards. */
function tamper(file: string, n: number, edit: (l: string) => string, rehash = false): string {
  const all = lines(file);
  let l = edit(all[n - 1]!);
  if (rehash) {
    const body = l.replace(/,"hash":"[0-9a-f]{64}"\}$/, '}');
    l = `${body.slice(0, -1)},"hash":"${createHash('sha256').update(body).digest('hex')}"}`;
  }
  all[n - 1] = l;
  const text = `${all.join('\n')}\n`;
  return text;
}

describe('audit log', () => {
  let dir = '';
  let log: AuditLog;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tk-audit-'));
    log = new AuditLog(dir);
    for (let i = 0; i < 5; i++)
      await log.append({ event: 'bid.save', actor: 'alice', via: 'web', target: `bid-${i}` });
  });

  it('chains each entry to the one before, the first to the genesis value, file mode 0600', async () => {
    const all = lines(log.file).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all).toHaveLength(5);
    expect(all[0]!.prev).toBe(GENESIS);
    for (let i = 1; i < all.length; i++) expect(all[i]!.prev).toBe(all[i - 1]!.hash);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(statSync(log.file).mode & 0o777).toBe(0o600);
    const { check, entries } = await log.read();
    expect(check).toEqual({ ok: true, count: 5, head: all[4]!.hash });
    expect(entries.map((e) => e.target)).toEqual(['bid-0', 'bid-1', 'bid-2', 'bid-3', 'bid-4']);
  });

  it('keeps one chain when other processes append at the same time', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'tk-audit-mp-'));
    const mod = path.join(ROOT, 'dist/audit/log.js');
    const script = `import { AuditLog } from ${JSON.stringify(mod)};
      const log = new AuditLog(${JSON.stringify(d)});
      await Promise.all(Array.from({ length: 15 }, (_, i) =>
        log.append({ event: 'bid.download', actor: 'p' + process.pid, via: 'web', target: 'b' + i })));`;
    const child = () => run(process.execPath, ['--input-type=module', '-e', script]);
    const here = new AuditLog(d);
    await Promise.all([
      child(),
      child(),
      ...Array.from({ length: 15 }, (_, i) =>
        here.append({ event: 'signin', actor: 'me', via: 'web', target: `x${i}` }),
      ),
    ]);
    const r = checkChain(readFileSync(path.join(d, 'audit.log'), 'utf8'));
    expect(r).toMatchObject({ ok: true, count: 45 });
  });

  it('names an edited entry by its own line', () => {
    const text = tamper(log.file, 3, (l) => l.replace('"actor":"alice"', '"actor":"mallory"'));
    expect(checkChain(text)).toMatchObject({ ok: false, line: 3 });
    expect((checkChain(text) as { reason: string }).reason).toContain('被改动');
  });

  it('finds an edit whose hash was recomputed at the next line', () => {
    const text = tamper(
      log.file,
      3,
      (l) => l.replace('"actor":"alice"', '"actor":"mallory"'),
      true,
    );
    const r = checkChain(text);
    expect(r).toMatchObject({ ok: false, line: 4 });
    expect((r as { reason: string }).reason).toContain('与第 3 条记录不衔接');
  });

  it('finds a deleted, an inserted and a reordered entry, and a cut-off last line', () => {
    const all = lines(log.file);
    const deleted = `${[...all.slice(0, 1), ...all.slice(2)].join('\n')}\n`;
    expect(checkChain(deleted)).toMatchObject({ ok: false, line: 2 });
    const inserted = `${[all[0], all[0], ...all.slice(1)].join('\n')}\n`;
    expect(checkChain(inserted)).toMatchObject({ ok: false, line: 2 });
    const swapped = `${[all[0], all[2], all[1], ...all.slice(3)].join('\n')}\n`;
    expect(checkChain(swapped)).toMatchObject({ ok: false, line: 2 });
    const firstGone = `${all.slice(1).join('\n')}\n`;
    expect(checkChain(firstGone)).toMatchObject({ ok: false, line: 1 });
    const cut = `${all.join('\n')}\n`.slice(0, -20);
    expect(checkChain(cut)).toMatchObject({ ok: false, line: 5 });
    expect(checkChain('')).toEqual({ ok: true, count: 0, head: GENESIS });
  });

  it('appends after a damaged last line without hiding it', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'tk-audit-cut-'));
    const l = new AuditLog(d);
    await l.append({ event: 'signin', actor: 'a', via: 'web' });
    await l.append({ event: 'signout', actor: 'a', via: 'web' });
    writeFileSync(l.file, readFileSync(l.file, 'utf8').slice(0, -30)); // a write cut short
    const e = await l.append({ event: 'signin', actor: 'b', via: 'web' });
    expect(e.seq).toBe(3);
    const text = readFileSync(l.file, 'utf8');
    expect(text.split('\n')).toHaveLength(4);
    expect(checkChain(text)).toMatchObject({ ok: false, line: 2 });
  });

  it('keeps values on one line and short', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'tk-audit-clean-'));
    const l = new AuditLog(d);
    await l.append({
      event: 'signin.failed',
      actor: 'x\n{"seq":99}',
      via: 'web',
      detail: { reason: `${'y'.repeat(500)}\r\n` },
    });
    const text = readFileSync(l.file, 'utf8');
    expect(text.split('\n')).toHaveLength(2);
    const e = JSON.parse(text) as { actor: string; detail: { reason: string } };
    expect(e.actor).toBe('x�{"seq":99}');
    expect(e.detail.reason).toHaveLength(200);
    expect(checkChain(text).ok).toBe(true);
  });
});
