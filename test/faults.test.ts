// Fault tests: a server killed in the middle of saves never leaves a partial bid file, and a full
// disk gives a clear error while the previous version stays intact.
import { execFileSync, spawn } from 'node:child_process';
import {
  promises as fsp,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { BidStore, STORE_ENTRIES, StoreError } from '../src/server/store.js';
import { ROOT } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

/** The data folder's entries but the store's own (index, history, trash, CSRF secret): no temp files. */
const bidFolder = (dir: string) => readdirSync(dir).filter((f) => !STORE_ENTRIES.includes(f));

function killDuringSaves(dir: string, afterMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'test/fixtures/save-loop.mjs'), dir, 'bid-kill'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let t: NodeJS.Timeout | undefined;
    // The clock starts at the first completed save, so a slow start (a loaded machine) cannot
    // end the process before it is saving.
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      t ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(t);
      if (signal !== 'SIGKILL') reject(new Error(`save loop ended by itself: ${err}`));
      else resolve(out);
    });
  });
}

describe('SIGKILL of a process in the middle of saves', () => {
  it('leaves the bid file either the old or the new version, never partial, 25 times over', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-kill-'));
    let saves = 0;
    for (let i = 0; i < 25; i++) {
      const out = await killDuringSaves(dir, 150 + ((i * 37) % 250));
      saves += out.length;
      const file = path.join(dir, 'bid-kill.yaml');
      const text = readFileSync(file, 'utf8');
      const data = parse(text) as { marker: string; filler: string; tenderee: { name: string } };
      expect(['A', 'B']).toContain(data.marker);
      expect(data.filler).toBe(data.marker.repeat(300_000));
      expect(data.tenderee.name).toBe(`版本${data.marker}`);
    }
    expect(saves).toBeGreaterThan(25); // the loop really was saving when it was killed
    // Temp files a kill left behind are removed when the store opens.
    await new BidStore(dir).open();
    expect(bidFolder(dir)).toEqual(['bid-kill.yaml']);
  }, 300_000);
});

/** Starts `tenderkit serve` on a free port; resolves with its base URL once it listens. */
function startServer(
  dataDir: string,
): Promise<{ child: ReturnType<typeof spawn>; base: string; exited: Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/tenderkit.js'), 'serve', '--port', '0', '--data', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise((r) => child.once('exit', r));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}`, exited });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

describe('SIGKILL of the real server in the middle of HTTP saves', () => {
  it('leaves every saved bid either the old or the new version, 4 times over', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-killsrv-'));
    await (
      await new BidStore(dir).open()
    ).save(
      'bid-kill',
      {
        version: 2,
        tenderee: { name: '版本A' },
        bidder: { name: '投标人' },
        project: { name: 'A'.repeat(150_000) },
        signature: { signer: '签字人', date: '2026-11-22' },
      } as never,
      null,
    );
    // Four kills of the real server, at points spread over the same 40–310 ms after its first save
    // (each start costs seconds: the server warms its render pool before it listens). The store's
    // atomic save itself is killed 25 times in the test above, in a process of its own.
    let saved = 0;
    for (let i = 0; i < 4; i++) {
      const { child, base, exited } = await startServer(dir);
      let firstSave: () => void = () => {};
      const savedOnce = new Promise<void>((r) => (firstSave = r));
      const first = await fetch(`${base}/bids/bid-kill`);
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
      let stop = false;
      const client = (async () => {
        while (!stop) {
          const page = await fetch(`${base}/bids/bid-kill`, { headers: { cookie } }).then((r) =>
            r.text(),
          );
          const version = /name="_version" value="([0-9a-f]{64})"/.exec(page)?.[1] ?? '';
          const mark = page.includes('value="版本A"') ? 'B' : 'A';
          const body = new URLSearchParams({
            _csrf: token,
            _version: version,
            _action: 'save',
            version: '2', // the form's hidden input
            'tenderee.name': `版本${mark}`,
            'project.name': mark.repeat(150_000),
          });
          const r = await fetch(`${base}/bids/bid-kill`, {
            method: 'POST',
            body,
            redirect: 'manual',
            headers: { cookie },
          });
          if (r.status === 303) {
            saved++;
            firstSave();
          }
        }
      })().catch(() => firstSave()); // the connection drops when the server is killed
      // The clock starts at this server's first completed save (a loaded machine may take seconds
      // to get there), then the kill lands at a different point of the following saves each time.
      await savedOnce;
      await new Promise((r) => setTimeout(r, 40 + i * 90));
      child.kill('SIGKILL');
      stop = true;
      await client;
      await exited;
      const data = parse(readFileSync(path.join(dir, 'bid-kill.yaml'), 'utf8')) as {
        tenderee: { name: string };
        project: { name: string };
      };
      const mark = data.tenderee.name.slice(-1);
      expect(['A', 'B']).toContain(mark);
      expect(data.project.name).toBe(mark.repeat(150_000));
    }
    expect(saved).toBeGreaterThanOrEqual(4); // every server saved at least once before its kill
    await new BidStore(dir).open();
    expect(bidFolder(dir)).toEqual(['bid-kill.yaml']);
  }, 300_000);
});

describe('a full disk', () => {
  it('gives a clear error and keeps the previous version (injected ENOSPC)', async () => {
    const store = await new BidStore(mkdtempSync(path.join(os.tmpdir(), 'tk-nospc-'))).open();
    const v1 = await store.save('bid-a', { tenderee: { name: '第一版' } } as never, null);
    const realOpen = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (p, ...rest) => {
      const handle = await realOpen(p as string, ...(rest as [number]));
      if (String(p).includes('.tk-save-')) {
        handle.writeFile = async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        };
      }
      return handle;
    });
    const err = await store
      .save('bid-a', { tenderee: { name: '第二版' } } as never, v1.version)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toBe('磁盘空间不足，未保存（原文件保持不变）');
    vi.restoreAllMocks();
    expect((await store.read('bid-a')).input).toEqual({ tenderee: { name: '第一版' } });
    expect(bidFolder(store.dir)).toEqual(['bid-a.yaml']);
  });

  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(path.join(os.tmpdir(), 'tk-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!canMount)(
    'gives a clear error and keeps the previous version (a real 64 KB tmpfs)',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-tmpfs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      try {
        const store = await new BidStore(path.join(dir, 'data')).open();
        const v1 = await store.save(
          'bid-a',
          { tenderee: { name: '第一版' }, note: 'x'.repeat(20_000) } as never,
          null,
        );
        // Fill most of the remaining space, then try a save larger than what is left.
        mkdirSync(path.join(dir, 'junk'));
        writeFileSync(path.join(dir, 'junk', 'fill'), Buffer.alloc(30_000));
        const err = await store
          .save(
            'bid-a',
            { tenderee: { name: '第二版' }, note: 'y'.repeat(40_000) } as never,
            v1.version,
          )
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).message).toContain('磁盘空间不足');
        expect((await store.read('bid-a')).input).toMatchObject({ tenderee: { name: '第一版' } });
        expect(bidFolder(store.dir)).toEqual(['bid-a.yaml']);
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );
});
