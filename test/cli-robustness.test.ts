// The CLI's robustness guarantees, each checked through the real process (bin/tenderkit.js runs
// dist/): a build writes all of its files or none and replaces exactly the outputs the earlier build
// recorded; referenced files stay inside the bid's folder; an unusable output folder fails at once;
// verify distrusts its manifest; every command answers --help in Chinese. Each guarantee is checked
// at least once through the real process; its further cases run the CLI's own `main` in this
// process (the same code, without a process start and a cold render each), and the earlier builds
// that tests start from are made once and copied.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { exampleFile, ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');

function cli(args: string[], opts: { timeout?: number } = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG: '' },
    timeout: opts.timeout ?? 120_000,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms };
}

/** The same command through the CLI's `main` in this process: for the further cases of a guarantee. */
async function inProcess(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const tmp = (tag: string) => mkdtempSync(path.join(os.tmpdir(), `tk-rob-${tag}-`));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every entry under `dir` (hidden ones too): type, and content hash, link target or nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(p, r);
      } else out[r] = `file ${(st.mode & 0o7777).toString(8)} ${sha(readFileSync(p))}`;
    }
  };
  walk(dir, '');
  return out;
}

/** A folder with copies of the examples (bids and tender files), as a bid team keeps them. */
function bidFolder(): string {
  const dir = tmp('bids');
  for (const f of readdirSync(path.join(ROOT, 'examples')))
    if (f.endsWith('.yaml')) copyFileSync(path.join(ROOT, 'examples', f), path.join(dir, f));
  return dir;
}

/** Per test: each runs several CLI processes, which take seconds each on a busy 2-core machine. */
const LOADED = 300_000;

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |内部错误/);

// One build of hospital-his.yaml (all four documents) and one of minimal.yaml, made once through the
// real CLI: a test that starts from an earlier build copies its output folder (the next build reads
// only the output names its manifest lists; verify follows the bid path it records, which stays valid).
let earlier = '';
beforeAll(() => {
  earlier = bidFolder();
  for (const bid of ['hospital-his', 'minimal'])
    expect(
      cli(['build', path.join(earlier, `${bid}.yaml`), '--out', path.join(earlier, bid)]).code,
    ).toBe(0);
}, LOADED);

/** A fresh copy of the examples with `out` a copy of the earlier build of `bid`. */
function afterBuildOf(bid: 'hospital-his' | 'minimal') {
  const bids = bidFolder();
  const out = path.join(bids, 'out');
  cpSync(path.join(earlier, bid), out, { recursive: true });
  return { bids, out };
}

describe('a build writes all of its files or none', { timeout: LOADED }, () => {
  it('with a folder named 售后服务方案.pdf in the way: exit 1, and the folder stays byte for byte as it was', () => {
    const bids = bidFolder();
    const out = path.join(bids, 'out');
    mkdirSync(path.join(out, '售后服务方案.pdf'), { recursive: true });
    writeFileSync(path.join(out, '售后服务方案.pdf', '说明.txt'), '这是一个文件夹\n');
    writeFileSync(path.join(out, 'notes.txt'), '投标小组的笔记\n');
    const before = snapshot(bids);

    const r = cli(['build', path.join(bids, 'hospital-his.yaml'), '--out', out]);
    expect(r.code).toBe(1);
    noStack(r.err);
    expect(r.err).toContain('输出目录中已有名为“售后服务方案.pdf”的文件夹，不能用生成的文件替换它');
    expect(r.err).toContain('[OutputFailed]');
    expect(r.err).toContain('未生成任何文件');
    expect(r.out).toBe('');
    // Nothing written: not the letter rendered before the plan, not a staging folder beside.
    expect(snapshot(bids)).toEqual(before);
    expect(existsSync(path.join(out, '售后服务承诺书.pdf'))).toBe(false);
  });

  it('when a move fails halfway (an immutable earlier output), every file moved is put back', () => {
    const { bids, out } = afterBuildOf('hospital-his');
    const stuck = path.join(out, '偏离表.pdf');
    try {
      execFileSync('chattr', ['+i', stuck], { stdio: 'ignore' });
    } catch {
      return; // no chattr or a file system without the immutable flag: nothing to check here
    }
    try {
      const before = snapshot(bids);
      // minimal.yaml replaces the letter and the plan and retires the other outputs: the letter
      // and plan are moved aside first, then moving 偏离表.pdf aside fails.
      const r = cli(['build', path.join(bids, 'minimal.yaml'), '--out', out]);
      expect(r.code).toBe(1);
      noStack(r.err);
      expect(r.err).toContain('EPERM');
      expect(r.err).toContain('未生成任何文件');
      expect(snapshot(bids)).toEqual(before);
    } finally {
      execFileSync('chattr', ['-i', stuck]);
    }
  });

  it('a new output folder appears whole or not at all, with no folders left behind', () => {
    const bids = bidFolder();
    const deep = path.join(bids, 'a', 'b', 'out');
    const bad = path.join(bids, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(path.join(bids, 'minimal.yaml'), 'utf8').replace(/signer: .*/, 'signer: ""'),
    );
    const failed = cli(['build', bad, '--out', deep]);
    expect(failed.code).toBe(1);
    expect(existsSync(path.join(bids, 'a'))).toBe(false);

    const ok = cli(['build', path.join(bids, 'minimal.yaml'), '--out', deep]);
    expect(ok.code).toBe(0);
    expect(readdirSync(deep).sort()).toEqual(
      [
        'manifest.json',
        '售后服务承诺书.docx',
        '售后服务承诺书.pdf',
        '售后服务方案.docx',
        '售后服务方案.pdf',
      ].sort(),
    );
    expect(readdirSync(path.join(bids, 'a', 'b'))).toEqual(['out']); // no staging folder beside
  });
});

describe(
  'a build replaces the outputs the earlier build recorded, and only those',
  { timeout: LOADED },
  () => {
    it('removes the earlier bid’s 偏离表 and 培训方案, keeps other files, and verify reports the folder as it is', async () => {
      const { bids, out } = afterBuildOf('hospital-his');
      expect(readdirSync(out)).toContain('偏离表.pdf');
      const stalePdf = readFileSync(path.join(out, '偏离表.pdf'));
      writeFileSync(path.join(out, 'notes.txt'), '投标小组的笔记\n');
      mkdirSync(path.join(out, '附件'));
      writeFileSync(path.join(out, '附件', '资质.pdf'), '%PDF-1.4 not ours\n');

      // A bid without a tender file (and without training) into the same folder.
      const second = cli(['build', path.join(bids, 'minimal.yaml'), '--out', out]);
      expect(second.code).toBe(0);
      expect(readdirSync(out).sort()).toEqual(
        [
          'manifest.json',
          'notes.txt',
          '附件',
          '售后服务承诺书.docx',
          '售后服务承诺书.pdf',
          '售后服务方案.docx',
          '售后服务方案.pdf',
        ].sort(),
      );
      for (const gone of ['偏离表.docx', '偏离表.pdf', '培训方案.docx', '培训方案.pdf'])
        expect(second.err).toContain(`已删除上次构建留下、本次不再生成的 ${path.join(out, gone)}`);
      expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('投标小组的笔记\n');
      expect(readFileSync(path.join(out, '附件', '资质.pdf'), 'utf8')).toBe('%PDF-1.4 not ours\n');
      expect(readdirSync(bids).filter((f) => f.startsWith('.'))).toEqual([]);

      // verify: the outputs reproduce, and the two things the build did not make are reported.
      const v = cli(['verify', out]);
      expect(v.code).toBe(1);
      noStack(v.err);
      expect(v.out).toContain('✓ 售后服务承诺书.pdf 重新生成后逐字节一致');
      expect(v.err).toContain(
        `${path.join(out, 'notes.txt')}：输出目录中有构建记录之外的文件 notes.txt`,
      );
      expect(v.err).toContain(`${path.join(out, '附件')}：输出目录中有构建记录之外的文件夹 附件`);
      expect(v.err).toContain('共 2 个问题。');

      // Without them it passes; a stale output put back (as the old build left it) fails again.
      rmSync(path.join(out, 'notes.txt'));
      rmSync(path.join(out, '附件'), { recursive: true });
      const clean = await inProcess(['verify', out]);
      expect(clean.code).toBe(0);
      expect(clean.out).toContain('复核通过');
      writeFileSync(path.join(out, '偏离表.pdf'), stalePdf);
      const stale = await inProcess(['verify', out]);
      expect(stale.code).toBe(1);
      expect(stale.err).toContain('输出目录中有构建记录之外的文件 偏离表.pdf');
      expect(stale.out).not.toContain('复核通过');
    });

    const canMount = (() => {
      if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
      const probe = tmp('probe');
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], {
          stdio: 'ignore',
        });
        execFileSync('umount', [probe], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();

    it.skipIf(!canMount)(
      'does the same into an output folder that is a mount point (staging inside it)',
      async () => {
        const bids = bidFolder();
        const out = path.join(bids, 'out');
        mkdirSync(out);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', out]);
        try {
          // The earlier build's outputs, copied into the mount point (the copy is not the check).
          cpSync(path.join(earlier, 'hospital-his'), out, { recursive: true });
          expect(readdirSync(out)).toContain('偏离表.pdf');
          const second = cli(['build', path.join(bids, 'minimal.yaml'), '--out', out]);
          expect(second.code).toBe(0);
          expect(readdirSync(out).sort()).toEqual(
            [
              'manifest.json',
              '售后服务承诺书.docx',
              '售后服务承诺书.pdf',
              '售后服务方案.docx',
              '售后服务方案.pdf',
            ].sort(),
          );
          expect(readdirSync(bids).filter((f) => f.startsWith('.'))).toEqual([]);
          expect((await inProcess(['verify', out])).code).toBe(0);
        } finally {
          execFileSync('umount', [out]);
        }
      },
    );

    it('never removes what a hand-edited manifest names outside the folder', () => {
      const { bids, out } = afterBuildOf('minimal');
      const victim = path.join(bids, 'victim.txt');
      writeFileSync(victim, 'keep me\n');
      const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        documents: { outputs: { file: string }[] }[];
      };
      m.documents[0]!.outputs.push({ file: '../victim.txt' }, { file: victim });
      writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(m));
      const r = cli(['build', path.join(bids, 'minimal.yaml'), '--out', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
      expect(r.err).not.toContain('已删除');
    });

    it('removes the staging folder a killed build left beside the output folder, not a running one’s', () => {
      const { bids, out } = afterBuildOf('minimal');
      const tag = createHash('sha256').update('out').digest('hex').slice(0, 12);
      // A process that has exited: its pid is free (or reused by a process that is not building).
      const dead = spawnSync(
        process.execPath,
        ['-e', 'process.stdout.write(String(process.pid))'],
        {
          encoding: 'utf8',
        },
      ).stdout;
      const stale = path.join(bids, `.tk-tmp-${tag}-${dead}-abcdef123456`);
      const live = path.join(bids, `.tk-tmp-${tag}-${process.pid}-abcdef123456`);
      mkdirSync(path.join(stale, '.replaced'), { recursive: true });
      writeFileSync(path.join(stale, '售后服务承诺书.pdf'), 'partial');
      mkdirSync(live);
      const r = cli(['build', path.join(bids, 'minimal.yaml'), '--out', out]);
      expect(r.code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
    });
  },
);

describe('files a bid refers to stay in its folder', { timeout: LOADED }, () => {
  const tenderLine = (bid: string) => {
    const lines = readFileSync(bid, 'utf8').split('\n');
    const i = lines.findIndex((l) => /^\s+file: hospital-tender\.yaml/.test(l));
    return `${i + 1}:${lines[i]!.indexOf('hospital-tender.yaml') + 1}`;
  };

  it('refuses a tender.yaml that is a link to /etc/passwd, at the tender.file line, quoting nothing of it', async () => {
    const bids = bidFolder();
    const bid = path.join(bids, 'hospital-his.yaml');
    rmSync(path.join(bids, 'hospital-tender.yaml'));
    symlinkSync('/etc/passwd', path.join(bids, 'hospital-tender.yaml'));
    const firstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    // build through the real process, lint and explain in this one.
    for (const cmd of ['build', 'lint', 'explain']) {
      const r =
        cmd === 'build'
          ? cli([cmd, bid, '--out', path.join(bids, 'out')])
          : await inProcess([cmd, bid]);
      expect(r.code).toBe(1);
      noStack(r.err);
      expect(r.err).toContain(
        `${bid}:${tenderLine(bid)} tender.file：招标要求文件“hospital-tender.yaml”不在投标参数文件所在的文件夹内（它是一个链接，实际位于“/etc/passwd”）`,
      );
      expect(r.err).toContain('[TenderFileInvalid]');
      expect(r.err + r.out).not.toContain(firstLine.slice(0, 8));
      expect(r.err + r.out).not.toContain('root:');
    }
    expect(existsSync(path.join(bids, 'out'))).toBe(false);
  });

  it('refuses a link to a valid tender file outside the folder, and accepts one that stays inside', async () => {
    const bids = bidFolder();
    const bid = path.join(bids, 'hospital-his.yaml');
    const elsewhere = tmp('elsewhere');
    copyFileSync(path.join(bids, 'hospital-tender.yaml'), path.join(elsewhere, 'tender.yaml'));
    rmSync(path.join(bids, 'hospital-tender.yaml'));
    symlinkSync(path.join(elsewhere, 'tender.yaml'), path.join(bids, 'hospital-tender.yaml'));
    const outside = cli(['lint', bid]);
    expect(outside.code).toBe(1);
    expect(outside.err).toContain(
      `实际位于“${path.join(elsewhere, 'tender.yaml')}”）。招标要求文件须放在投标参数文件所在的文件夹（或其子文件夹）内`,
    );

    // A link within the folder (tender/2026.yaml) is fine: it resolves inside.
    rmSync(path.join(bids, 'hospital-tender.yaml'));
    mkdirSync(path.join(bids, 'tender'));
    copyFileSync(path.join(elsewhere, 'tender.yaml'), path.join(bids, 'tender', '2026.yaml'));
    symlinkSync(path.join('tender', '2026.yaml'), path.join(bids, 'hospital-tender.yaml'));
    const inside = await inProcess(['lint', bid]);
    expect(inside.code).toBe(0);
    expect(inside.out).toContain('偏离表');
  });

  it('clauses usage lists a pipe named .yaml as unreadable instead of blocking on it', () => {
    const bids = bidFolder();
    try {
      execFileSync('mkfifo', [path.join(bids, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo here
    }
    const r = cli(['clauses', 'usage', 'letter-closing', bids], { timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `${path.join(bids, 'pipe.yaml')}  无法检查：1 个问题（“${path.join(bids, 'pipe.yaml')}”不是普通文件）`,
    );
    expect(r.out).toMatch(/minimal\.yaml {2}第 \d+ 版（售后服务承诺书）/);
  });

  it('never quotes a tender file that is not YAML', async () => {
    const bids = bidFolder();
    const secret = 'token=sk-2f9a7c1e SECRET-VALUE';
    for (const [i, text] of [
      `${secret}\n`,
      `#!/bin/sh\nexport ${secret}\n`,
      `key: |${secret}\n  body\n`,
      `[${secret}\n`,
    ].entries()) {
      writeFileSync(path.join(bids, 'hospital-tender.yaml'), text);
      const args = ['lint', path.join(bids, 'hospital-his.yaml')];
      const r = i === 0 ? cli(args) : await inProcess(args); // the first through the real process
      expect(r.code).toBe(1);
      noStack(r.err);
      expect(r.err).toContain('hospital-tender.yaml:');
      expect(r.err).not.toContain('sk-2f9a7c1e');
      expect(r.err).not.toContain('SECRET');
    }
  });
});

describe('an unusable output folder fails at once', { timeout: LOADED }, () => {
  const onProc = (() => {
    try {
      return statfsSync('/proc').type === 0x9fa0;
    } catch {
      return false;
    }
  })();

  it.skipIf(!onProc)(
    '--out /proc/x: exit 1 with a clear message, before any rendering, in < 2 s',
    () => {
      // The limit is 2 s. On a busy machine merely starting the CLI (`--version`, measured just
      // before and after) can take longer; then the limit is twice that. Spinning or rendering
      // would take far longer still (and rendering would print [1/…]).
      const before = cli(['--version']).ms;
      const r = cli(['build', exampleFile('hospital-his'), '--out', '/proc/x'], {
        timeout: 30_000,
      });
      const baseline = Math.max(before, cli(['--version']).ms);
      expect(r.signal).toBeNull(); // it used to spin at 100% CPU until killed
      expect(r.code).toBe(1);
      noStack(r.err);
      expect(r.err).toContain(
        '/proc/x：输出目录“/proc/x”位于系统的特殊文件系统（proc，“/proc”）上，那里不能存放文件',
      );
      expect(r.err).toContain('请用 --out 指定一个普通的文件夹');
      expect(r.err).toContain('未生成任何文件');
      expect(r.err).not.toContain('[1/'); // nothing was rendered
      expect(r.ms).toBeLessThan(Math.max(2000, 2 * baseline));
      expect(existsSync('/proc/x')).toBe(false);
    },
  );

  it.skipIf(!onProc)(
    'serve --data /proc/x: exit 1 with the same message for the data folder',
    () => {
      const r = cli(['serve', '--port', '0', '--data', '/proc/x'], { timeout: 30_000 });
      expect(r.signal).toBeNull(); // fs.mkdir({ recursive: true }) used to spin here too
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        '/proc/x：数据目录“/proc/x”位于系统的特殊文件系统（proc，“/proc”）上，那里不能存放文件。请用 --data 指定一个普通的文件夹。 [OutputFailed]',
      );
      expect(r.out).not.toContain('http://');
    },
  );

  it('a path through a file, a device, and /sys fail the same way', () => {
    const cases: [string, string][] = [
      ['/dev/null/x', '无法创建输出目录“/dev/null/x”：“/dev/null”不是文件夹'],
      ['/dev/null', '输出目录“/dev/null”已存在，但不是文件夹'],
    ];
    if (onProc) cases.push(['/sys/x', '位于系统的特殊文件系统（sysfs，“/sys”）上']);
    for (const [out, message] of cases) {
      const r = cli(['build', exampleFile('minimal'), '--out', out], { timeout: 30_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      expect(r.err).toContain(message);
      expect(r.err).toContain('[OutputFailed]');
      expect(r.err).not.toContain('[1/');
    }
  });
});

/** The parts of manifest.json the tests below tamper with. */
interface EditableManifest {
  bid: { path: string; sha256: unknown };
  options: { formats: unknown[] };
  documents: { outputs: { file: string }[] }[];
}

describe('verify distrusts its manifest', { timeout: LOADED }, () => {
  // The earlier build of minimal.yaml; each test verifies its own copy of the output folder (the
  // manifest names the bid by its absolute path, which stays valid).
  /** A copy of the build; `edit` changes its manifest. */
  function built(edit?: (m: EditableManifest) => void) {
    const bids = earlier;
    const out = path.join(tmp('verify'), 'out');
    cpSync(path.join(earlier, 'minimal'), out, { recursive: true });
    const file = path.join(out, 'manifest.json');
    if (edit) {
      const m = JSON.parse(readFileSync(file, 'utf8')) as EditableManifest;
      edit(m);
      writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
    }
    return { bids, out, file };
  }

  /** Line:col of `value` on the first line of the file that contains `needle`. */
  const at = (file: string, needle: string, value = needle) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes(needle));
    return `${i + 1}:${lines[i]!.indexOf(value, lines[i]!.indexOf(needle)) + 1}`;
  };

  /** verify refuses `out`: through the real process when `real`, else through `main` here. */
  async function refused(out: string, real = false) {
    const r = real ? cli(['verify', out]) : await inProcess(['verify', out]);
    expect(r.code).toBe(1);
    noStack(r.err);
    expect(r.out).not.toContain('复核通过');
    return r.err;
  }

  it('refuses an absolute output path, without reading that file', async () => {
    const { out, file } = built((m) => (m.documents[0]!.outputs[0]!.file = '/etc/passwd'));
    const err = await refused(out, true);
    expect(err).toContain(
      `${file}:${at(file, '"/etc/passwd"')}：manifest.json 的结构不对：documents[0].outputs[0].file 输出文件应为输出目录中的文件名，不能是绝对路径，也不能含“..”或“/”`,
    );
    expect(err).toContain('[ManifestInvalid]');
    expect(err).not.toContain('root:');
  });

  it('refuses “..” in an output path and in an input path', async () => {
    const { out, file } = built((m) => {
      m.documents[0]!.outputs[1]!.file = '../../../etc/passwd';
      m.bid.path = `${path.dirname(m.bid.path)}/../../etc/x.yaml`;
    });
    const err = await refused(out);
    expect(err).toContain(
      `${file}:${at(file, '"../../../etc/passwd"')}：manifest.json 的结构不对：documents[0].outputs[1].file 输出文件应为输出目录中的文件名`,
    );
    expect(err).toContain('bid.path 应为构建时记录的 .yaml 文件绝对路径，不能含“..”');
    expect(err).toContain('共 2 个问题');
  });

  it('refuses an input that is not a .yaml file (a crafted manifest cannot make it hash /etc/passwd)', async () => {
    const { out } = built((m) => {
      m.bid.path = '/etc/passwd';
    });
    expect(await refused(out)).toContain('bid.path 应为构建时记录的 .yaml 文件绝对路径');
    // Named .yaml but a link to another file: not read either.
    const second = built();
    const link = path.join(second.bids, 'evil.yaml');
    symlinkSync('/etc/passwd', link);
    const m = JSON.parse(readFileSync(second.file, 'utf8')) as EditableManifest;
    m.bid.path = link;
    writeFileSync(second.file, JSON.stringify(m, null, 2));
    const err = await refused(second.out);
    expect(err).toContain(`构建所用的文件 ${link} 不是普通的 .yaml 文件`);
    expect(err).not.toMatch(/SHA-256 由/);
  });

  it('reports a file in the folder that the manifest does not list', async () => {
    const { out } = built();
    writeFileSync(path.join(out, '偏离表.pdf'), '%PDF-1.7 from another bid\n');
    const err = await refused(out);
    expect(err).toContain(
      `${path.join(out, '偏离表.pdf')}：输出目录中有构建记录之外的文件 偏离表.pdf：它不是这次构建生成的`,
    );
    expect(err).toContain('[VerifyFailed]');
    expect(err).toContain('共 1 个问题');
  });

  it('reports an output that is a link instead of the file the build wrote', async () => {
    const { out } = built();
    const f = path.join(out, '售后服务方案.pdf');
    rmSync(f);
    symlinkSync('/etc/passwd', f);
    const err = await refused(out);
    expect(err).toContain('输出文件 售后服务方案.pdf 不是普通文件（是链接）');
  });

  it('answers invalid JSON with exit 1 and the place, without quoting it', async () => {
    const { out, file } = built();
    writeFileSync(file, '{\n  "tool": { "name": "tenderkit",\n    "version": SECRET-123 }\n}\n');
    const err = await refused(out);
    expect(err).toContain(`${file}:3:16：manifest.json 不是有效的 JSON（第 3 行第 16 列）`);
    expect(err).toContain('[ManifestInvalid]');
    expect(err).not.toContain('SECRET');
    writeFileSync(file, '');
    expect(await refused(out)).toContain(`${file}:1:1：manifest.json 不是有效的 JSON`);
  });

  it('answers wrong types with exit 1 and each field’s place, not 内部错误', async () => {
    const { out, file } = built((m) => {
      (m as { documents: unknown }).documents = 5;
      m.options.formats = ['exe'];
      m.bid.sha256 = 42;
    });
    const err = await refused(out);
    expect(err).toContain(
      `${file}:${at(file, '"documents": 5', '5')}：manifest.json 的结构不对：documents 应为列表，实际为数字 5`,
    );
    expect(err).toContain('options.formats[0] 取值“exe”无效（可选：docx、pdf、html）');
    expect(err).toContain('bid.sha256 应为文本，实际为数字 42');
    expect(err).toContain('共 3 个问题');

    writeFileSync(file, '[1, 2]\n');
    expect(await refused(out)).toContain(
      `${file}:1:1：manifest.json 的结构不对：文件内容应为“字段: 值”形式的字段组，实际是一个列表`,
    );
    rmSync(file);
    mkdirSync(file);
    expect(await refused(out)).toContain('manifest.json 不是普通文件');
  });
});

describe('every command answers --help in Chinese', { timeout: LOADED }, () => {
  const commands: [string[], string][] = [
    [['build'], 'tenderkit build <bid.yaml> [--out DIR] [--format docx,pdf,html] [--drafts]'],
    [['lint'], 'tenderkit lint <bid.yaml> [--format text|json] [--strict]'],
    [['explain'], 'tenderkit explain <bid.yaml> [--format text|json|markdown] [--drafts]'],
    [['migrate'], 'tenderkit migrate <bid.yaml> [--out FILE] [--dry-run]'],
    [['schema'], 'tenderkit schema [--for bid|tender|company|workspace] [--format json|markdown]'],
    [['serve'], 'tenderkit serve [--port N] [--data DIR] [--host ADDR]'],
    [['verify'], 'tenderkit verify <输出目录>'],
    [['clauses', 'list'], 'tenderkit clauses list [--format json]'],
    [['clauses', 'show'], 'tenderkit clauses show <条款编号> [版本号] [--format json]'],
    [['clauses', 'diff'], 'tenderkit clauses diff <条款编号> <旧版本> <新版本>'],
    [['clauses', 'usage'], 'tenderkit clauses usage <条款编号> <文件夹> [--format json]'],
    [['clauses', 'lint'], 'tenderkit clauses lint'],
  ];

  // Every other command with -h, so both spellings are covered.
  const calls = commands.map(
    ([cmd, synopsis], i) => [cmd, i % 2 ? '-h' : '--help', synopsis] as const,
  );

  it.each(calls)('%s %s prints its usage and options and exits 0', async (cmd, flag, synopsis) => {
    // Help wins over everything else on the line (a file, another option). build's through the
    // real process (so are clauses --help and the overview below), the others through `main`.
    const args = [...cmd, ...(cmd[0] === 'build' ? ['bid.yaml', '--drafts'] : []), flag];
    const r = cmd[0] === 'build' ? cli(args) : await inProcess(args);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`用法：${synopsis}`)).toBe(true);
    expect(r.out).toContain('选项：');
    expect(r.out).toMatch(/-h, --help +显示本说明/);
    expect(r.out).toContain('退出码：0 成功；1 输入有误；2 命令用法错误。');
    expect(r.out).not.toMatch(/Unknown option|parseArgs|TypeError/);
  });

  it('clauses --help lists the sub-commands; help <command> is the same as <command> --help', async () => {
    const c = cli(['clauses', '--help']);
    expect(c.code).toBe(0);
    for (const sub of ['list', 'show', 'diff', 'usage', 'lint'])
      expect(c.out).toContain(`tenderkit clauses ${sub}`);
    const help = await inProcess(['help', 'clauses', 'diff']);
    expect(help.out).toBe((await inProcess(['clauses', 'diff', '-h'])).out);
    expect(help.out).toContain('tenderkit clauses diff <条款编号>');
    const overview = cli(['--help']);
    expect(overview.code).toBe(0);
    for (const [cmd] of commands) expect(overview.out).toContain(`tenderkit ${cmd.join(' ')}`);
    expect(overview.out).toContain('tenderkit <命令> --help');
  });

  it('answers a mistyped command, sub-command or option with a Chinese usage error and a suggestion (exit 2)', async () => {
    const cases: [string[], string, string][] = [
      [['biuld', 'bid.yaml'], '未知的命令“biuld”，是否应为“build”？', 'tenderkit --help'],
      [['verfy', 'out'], '未知的命令“verfy”，是否应为“verify”？', 'tenderkit --help'],
      [
        ['clauses', 'lsit'],
        '未知的 clauses 子命令“lsit”，是否应为“list”？',
        'tenderkit clauses --help',
      ],
      [
        ['build', 'bid.yaml', '--otu', 'x'],
        'build 没有选项“--otu”，是否应为“--out”？',
        'tenderkit build --help',
      ],
      [
        ['lint', 'bid.yaml', '--strcit'],
        'lint 没有选项“--strcit”，是否应为“--strict”？',
        'tenderkit lint --help',
      ],
      [
        ['clauses', 'diff', 'a', '1', '2', '--format', 'json'],
        'clauses diff 没有选项“--format”',
        'tenderkit clauses diff --help',
      ],
      [
        ['verify', 'out', '-x'],
        'verify 没有选项“-x”（verify 不带选项）',
        'tenderkit verify --help',
      ],
      [
        ['build', 'bid.yaml', '--out'],
        '选项 --out 需要一个值，例如 --out DIR',
        'tenderkit build --help',
      ],
      [
        ['lint', 'bid.yaml', '--strict=yes'],
        '选项 --strict 是开关，不带值',
        'tenderkit lint --help',
      ],
      [['--verison'], 'tenderkit 没有选项“--verison”，是否应为“--version”？', 'tenderkit --help'],
    ];
    // The first through the real process, the others through `main`.
    for (const [i, [args, message, help]] of cases.entries()) {
      const r = i === 0 ? cli(args) : await inProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).toContain(`运行 ${help} 查看用法。 [UsageError]`);
      expect(r.err).not.toMatch(/[A-Z][a-z]+ option|argument|To specify/);
      expect(r.out).toBe('');
    }
  });
});
