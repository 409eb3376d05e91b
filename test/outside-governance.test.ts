// An outside tester's probes of clause governance and the editor schemas, through the real CLI
// process on real files in temporary folders. What the README and clauses/README.md promise:
// approvals are made by someone other than the author, dated today, sealed with the body's SHA-256;
// a changed approved body is refused by build, lint, verify and the `clauses` commands (located at
// the body); the package's own library is never written to; governance writes are atomic; the
// editor schemas compile in strict Ajv and never reject what the CLI accepts.
//
// Tests marked BREAK failed on the code as it was probed: each reproduced a promise that did not
// hold, and now holds. The others are regression tests for the promises that held, and for the
// fixes (the last describe blocks).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
// ajv-formats is CommonJS: its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** Whether a file can be opened for reading. */
function readable(file: string): boolean {
  try {
    closeSync(openSync(file, 'r'));
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine lets a process bind-mount a folder in a private mount namespace. */
function canBindMount(): boolean {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind / /mnt'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
/** A date in China Standard Time, as `clauses approve` records it; `days` from today. */
const cstDate = (days = 0) =>
  new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

interface Run {
  code: number | null;
  out: string;
  err: string;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs the CLI (or another bin) as a process; an exit 70 is retried once (dist being rebuilt). */
function tk(cwd: string, args: string[], bin = BIN): Run {
  const once = (): Run => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, TENDERKIT_DEBUG: '' },
      timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const r = once();
  if (r.code !== 70) return r;
  sleep(2000);
  return once();
}

function tkAsync(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

const made: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A company workspace: tenderkit.yaml, a copy of the built-in library, hospital-his in bids/. */
function workspace(from = ROOT): string {
  const ws = tmp('tk-outside-');
  writeFileSync(path.join(ws, 'tenderkit.yaml'), 'version: 1\n');
  cpSync(path.join(from, 'clauses'), path.join(ws, 'library', 'clauses'), { recursive: true });
  cpSync(path.join(from, 'templates'), path.join(ws, 'library', 'templates'), { recursive: true });
  mkdirSync(path.join(ws, 'bids'));
  for (const f of ['hospital-his.yaml', 'hospital-tender.yaml'])
    cpSync(path.join(ROOT, 'examples', f), path.join(ws, 'bids', f));
  return ws;
}

const clausePath = (ws: string, id: string) => path.join(ws, 'library', 'clauses', `${id}.yaml`);
const read = (f: string) => readFileSync(f, 'utf8');

/** Every file under `dir` (recursively) with the SHA-256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, name);
    out[name] = statSync(p).isDirectory() ? 'dir' : sha(readFileSync(p));
  }
  return out;
}

/**
 * Applies `edit` to the block of the last version that carries a seal (`bodySha256:`), the
 * approved version bids use; throws when the edit changes nothing (the shipped file changed shape).
 */
function editApproved(text: string, edit: (block: string) => string): string {
  const starts = [...text.matchAll(/^ {2}- version: /gm)].map((m) => m.index);
  const i = starts.findLastIndex((s, k) => text.slice(s, starts[k + 1]).includes('bodySha256:'));
  if (i === -1) throw new Error('no approved version with a seal');
  const [s, e] = [starts[i]!, starts[i + 1] ?? text.length];
  const block = text.slice(s, e);
  const changed = edit(block);
  if (changed === block) throw new Error(`edit changed nothing in:\n${block.slice(0, 300)}`);
  return text.slice(0, s) + changed + text.slice(e);
}

/** Changes the first line of a `body: |` block (6-space indented) in a version block. */
const firstBodyLine = (block: string, f: (line: string) => string) =>
  block.replace(
    /( {4}body: \|[-+]?\n)( {6})([^\n]*)/,
    (_m, head: string, ind: string, l: string) => `${head}${ind}${f(l)}`,
  );

/** The body of a version block as the YAML reader sees a `|` block (6-space indent, clip). */
function bodyOf(block: string): string {
  const m = /( {4}body: \|\n)((?: {6}[^\n]*\n|\n)*)/.exec(block);
  if (!m) throw new Error('no literal body');
  const lines = m[2]!.split('\n').map((l) => l.slice(6));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Replaces the literal body of a version block with a double-quoted one on a single line. */
function quoteBody(block: string, body: string): string {
  return block.replace(/ {4}body: \|\n(?: {6}[^\n]*\n|\n)*/, `    body: ${JSON.stringify(body)}\n`);
}

/** Diagnostics (stderr lines) about one clause file. */
const about = (err: string, id: string) =>
  err.split('\n').filter((l) => l.includes(`library/clauses/${id}.yaml`));

// ------------------------------------------------------------------------------------------------

describe('a hand-edited library: one `clauses lint` over 25 edited clause files', () => {
  // Each clause file gets one edit; one CLI run reports on all of them.
  let ws: string;
  let lint: Run;
  let quotedLine = 0;
  const author = '吴晓岚';
  const approver = (who: string) => (b: string) =>
    b.replace(/( {4}approvedBy: )[^\n]+/, `$1${who}`);

  beforeAll(() => {
    ws = workspace();
    const edit = (id: string, f: (text: string) => string) =>
      writeFileSync(clausePath(ws, id), f(read(clausePath(ws, id))));
    const approved = (f: (b: string) => string) => (t: string) => editApproved(t, f);

    // Body edits that change the text: each must break the seal.
    edit(
      'letter-closing',
      approved((b) => firstBodyLine(b, (l) => `${l} `)),
    );
    edit(
      'letter-preamble',
      approved((b) => b.replace('    body: |\n', '    body: |-\n')),
    );
    edit(
      'exclusions',
      approved((b) => firstBodyLine(b, (l) => l.replace(/^(.)/, '$1\u200b'))),
    );
    edit(
      'training-schedule',
      approved((b) => firstBodyLine(b, (l) => `${l}e\u0301`)),
    );
    edit('training-methods', (t) => {
      // The approved version is the file's last: keep chomping takes the added blank line.
      const out = editApproved(t, (b) => b.replace('    body: |\n', '    body: |+\n'));
      return `${out}\n`;
    });
    // Seal records tampered with.
    edit(
      'out-of-warranty',
      approved((b) =>
        b.replace(/bodySha256: (\w+)/, (_m, h: string) => `bodySha256: ${h.toUpperCase()}`),
      ),
    );
    edit(
      'penalties',
      approved((b) => b.replace(/ {4}bodySha256: \w+\n/, '')),
    );
    edit(
      'plan-emergency',
      approved((b) => b.replace(/approvedOn: [\d-]+/, `approvedOn: ${cstDate(1)}`)),
    );
    edit(
      'plan-organisation',
      approved((b) => b.replace(/approvedOn: [\d-]+/, 'approvedOn: 9999-12-31')),
    );
    edit(
      'training-overview',
      (t) =>
        `${t}  - version: 2\n    status: draft\n    author: 张三\n    body: |\n      另一段措辞。\n`,
    );
    edit('warranty-period', (t) => {
      const out = t.replace(
        '  - version: 2\n    status: retired',
        '  - version: 2\n    status: approved',
      );
      if (out === t) throw new Error('warranty-period v2 not retired');
      return out;
    });
    // The author approving their own version, in forms the check knows.
    edit('plan-principles', approved(approver(author)));
    edit('plan-process', approved(approver(`${author}（法务部）`)));
    edit('plan-spares', approved(approver(' 吴 晓 岚 ')));
    // …and in forms it does not know (BREAK).
    edit('quality-confidentiality', approved(approver('吴\u200b晓岚')));
    edit('response-tiers', approved(approver(`${author}【法务部】`)));
    edit('service-channels', approved(approver(`${author}\u2060`)));
    edit('training-syllabus', approved(approver('"\u200b"')));
    edit(
      'routine-service',
      approved((b) => approver(author)(b.replace(/ {4}author: [^\n]+\n/, ''))),
    );
    // A changed body written as a double-quoted scalar: located at its line.
    edit('service-staff', (t) => {
      const out = editApproved(t, (b) => quoteBody(b, bodyOf(b).replace('我方', '本公司')));
      quotedLine = out.split('\n').findIndex((l) => l.startsWith('    body: "')) + 1;
      return out;
    });
    // Edits that keep the body's text exactly: the seal must still hold.
    edit('training-assessment', (t) => t.replace(/\n/g, '\r\n'));
    edit('training-audiences', (t) => `\uFEFF${t}`);
    edit(
      'training-commitment',
      approved((b) => b.replace(/^ {6}/gm, '        ')),
    );
    edit(
      'training-confirmation',
      approved((b) => quoteBody(b, bodyOf(b))),
    );
    edit(
      'training-materials',
      approved((b) => b.replace(/bodySha256: (\w+)/, 'bodySha256: "$1"')),
    );
    lint = tk(ws, ['clauses', 'lint']);
  });

  it('refuses every changed approved body as 已批准版本被改动, at its file', () => {
    expect(lint.code).toBe(1);
    expect(lint.err).not.toMatch(/内部错误|\n\s+at /);
    for (const id of [
      'letter-closing', // a trailing space
      'letter-preamble', // `|` → `|-` (the final newline dropped)
      'exclusions', // a zero-width space
      'training-schedule', // a combining accent (NFD)
      'training-methods', // `|+` keeping an added blank line
      'service-staff', // moved to a double-quoted scalar, one word changed
    ])
      expect(about(lint.err, id).join('\n'), id).toMatch(
        /已批准版本被改动.*\[ClauseApprovalBroken\]/,
      );
  });

  it('refuses tampered seal records: upper-case hash, no hash, future dates, a duplicate version, a retired version re-approved without a hash', () => {
    expect(about(lint.err, 'out-of-warranty').join('\n')).toMatch(/bodySha256.*小写十六进制/);
    expect(about(lint.err, 'penalties').join('\n')).toMatch(/没有批准时记录的正文 SHA-256/);
    expect(about(lint.err, 'plan-emergency').join('\n')).toMatch(/晚于今天.*不能预先批准/);
    expect(about(lint.err, 'plan-organisation').join('\n')).toMatch(/9999-12-31 晚于今天/);
    expect(about(lint.err, 'training-overview').join('\n')).toMatch(/版本号 2 重复/);
    expect(about(lint.err, 'warranty-period').join('\n')).toMatch(/第 2 版标为已批准，但没有/);
  });

  it('refuses the author as approver: plain, with （法务部）, with spaces', () => {
    for (const id of ['plan-principles', 'plan-process', 'plan-spares'])
      expect(about(lint.err, id).join('\n'), id).toMatch(
        /由作者本人（吴晓岚）批准.*\[ClauseApprovalInvalid\]/,
      );
  });

  it('BREAK: refuses the author as approver with a zero-width space, a word joiner or 【法务部】', () => {
    for (const id of ['quality-confidentiality', 'service-channels', 'response-tiers'])
      expect.soft(about(lint.err, id).join('\n'), id).toMatch(/\[ClauseApprovalInvalid\]/);
  });

  it('BREAK: refuses an approved version without an author (approver ≠ author cannot be checked)', () => {
    // `clauses approve` refuses such a version; the loader lets a hand-written one through.
    expect(about(lint.err, 'routine-service').join('\n')).toMatch(/\[ClauseApprovalInvalid\]/);
  });

  it('BREAK: refuses an approver whose name is invisible (a zero-width space only)', () => {
    expect(about(lint.err, 'training-syllabus').join('\n')).toMatch(/\[ClauseApprovalInvalid\]/);
  });

  it('BREAK: locates a changed double-quoted body at its own line', () => {
    const d = about(lint.err, 'service-staff').find((l) => l.includes('已批准版本被改动'));
    expect(d).toBeDefined();
    // Observed: the line after it (past the end of the file here).
    expect(d).toContain(`service-staff.yaml:${quotedLine}:`);
  });

  it('accepts edits that keep the body text: CRLF, a BOM, re-indenting, a quoted body, a quoted hash', () => {
    for (const id of [
      'training-assessment',
      'training-audiences',
      'training-commitment',
      'training-confirmation',
      'training-materials',
    ])
      expect(about(lint.err, id), id).toEqual([]);
    expect(about(lint.err, 'deviation-table')).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('`clauses approve` and the other changing commands', () => {
  let ws: string;
  let draft: string;
  const BODY = '本承诺书自投标截止之日起生效，构成投标文件的组成部分。\n\n特此承诺。\n';

  beforeAll(() => {
    ws = workspace();
    writeFileSync(path.join(ws, 'b.md'), BODY);
    const n = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    expect(n.code, n.err).toBe(0);
    expect(n.out).toBe('3\n');
    draft = read(clausePath(ws, 'letter-closing'));
  });

  const approve = (by: string) => {
    const r = tk(ws, ['clauses', 'approve', 'letter-closing', '3', '--by', by]);
    const after = read(clausePath(ws, 'letter-closing'));
    writeFileSync(clausePath(ws, 'letter-closing'), draft);
    return { ...r, changed: after !== draft };
  };

  it('BREAK: refuses the author as approver written with a zero-width space (张\\u200b三)', () => {
    const r = approve('张\u200b三');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ClauseApprovalInvalid]');
    expect(r.changed).toBe(false);
  });

  it('BREAK: refuses an approver name that is only a zero-width space', () => {
    const r = approve('\u200b');
    expect(r.code).not.toBe(0);
    expect(r.changed).toBe(false);
  });

  it('the governance commands refuse to run outside a workspace', () => {
    const bare = tmp('tk-outside-bare-');
    writeFileSync(path.join(bare, 'b.md'), BODY);
    const r = tk(bare, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[LibraryReadOnly]');
  });

  it('a body file that is a folder or a FIFO is refused at once, nothing written', () => {
    mkdirSync(path.join(ws, 'dir.md'));
    const fifo = spawnSync('mkfifo', [path.join(ws, 'fifo.md')]);
    for (const f of ['dir.md', ...(fifo.status === 0 ? ['fifo.md'] : [])]) {
      const r = tk(ws, [
        'clauses',
        'new-version',
        'letter-closing',
        '--body-file',
        f,
        '--author',
        '张三',
      ]);
      expect(r.code, f).toBe(1);
      expect(r.err, f).toContain('不是普通文件');
    }
    expect(read(clausePath(ws, 'letter-closing'))).toBe(draft);
  });

  describe('on a library whose approved body was changed by hand', () => {
    // clauses/README.md: “build, lint, explain, verify and the `clauses` commands refuse the library”.
    let tampered: string;
    beforeAll(() => {
      tampered = editApproved(draft, (b) =>
        firstBodyLine(b, (l) => l.replace('具有约束力', '不具有约束力')),
      );
      writeFileSync(clausePath(ws, 'letter-closing'), tampered);
    });
    const refused = (r: Run) => {
      expect(r.code).toBe(1);
      expect(r.err).toContain('[ClauseApprovalBroken]');
      expect(read(clausePath(ws, 'letter-closing'))).toBe(tampered);
    };

    it('BREAK: `clauses approve` refuses', () => {
      const r = tk(ws, ['clauses', 'approve', 'letter-closing', '3', '--by', '李四']);
      writeFileSync(clausePath(ws, 'letter-closing'), tampered);
      expect(r.code).toBe(1);
      expect(r.err).toContain('[ClauseApprovalBroken]');
    });

    it('BREAK: `clauses new-version` refuses', () => {
      writeFileSync(path.join(ws, 'c.md'), BODY.replace('特此承诺', '特此郑重承诺'));
      const r = tk(ws, [
        'clauses',
        'new-version',
        'letter-closing',
        '--body-file',
        'c.md',
        '--author',
        '王五',
      ]);
      const after = read(clausePath(ws, 'letter-closing'));
      writeFileSync(clausePath(ws, 'letter-closing'), tampered);
      expect(r.code).toBe(1);
      expect(after).toBe(tampered);
    });

    it('BREAK: `clauses retire` refuses, rather than turning the changed body into unsealed history', () => {
      const r = tk(ws, ['clauses', 'retire', 'letter-closing', '2', '--reason', '停用']);
      // Observed: exit 0, and afterwards `clauses lint` passes with the changed body still in the file.
      const lint = tk(ws, ['clauses', 'lint']);
      writeFileSync(clausePath(ws, 'letter-closing'), tampered);
      expect.soft(lint.code, 'lint after retire').toBe(1);
      refused(r);
    });

    it('`clauses new` and `clauses upgrade` refuse too, located at the changed body, nothing written', async () => {
      writeFileSync(path.join(ws, 'd.md'), '我方对服务质量负责。\n');
      const line = tampered.split('\n').findIndex((l) => l.includes('不具有约束力')) + 1;
      const runs = await Promise.all([
        tkAsync(ws, [
          'clauses',
          'new',
          'service-quality',
          '--title',
          '服务质量',
          '--body-file',
          'd.md',
          '--author',
          '王五',
        ]),
        tkAsync(ws, ['clauses', 'upgrade']),
      ]);
      for (const r of runs) {
        expect(r.code).toBe(1);
        expect(r.err).toMatch(
          new RegExp(
            String.raw`library/clauses/letter-closing\.yaml:${line}:7：条款 letter-closing 第 2 版：已批准版本被改动[^\n]*\[ClauseApprovalBroken\]`,
          ),
        );
      }
      expect(existsSync(clausePath(ws, 'service-quality'))).toBe(false);
      expect(read(clausePath(ws, 'letter-closing'))).toBe(tampered);
    });
  });
});

// ------------------------------------------------------------------------------------------------

describe('the package’s own library is never written to', () => {
  // A copy of the package (bin, dist, clauses, templates, examples), so a break cannot damage the
  // real one; its node_modules is a link to the real one.
  let pkg: string;
  let pkgBin: string;
  let before: Record<string, string>;
  const BODY = '我方承诺保障本项目数据安全。\n';

  beforeAll(() => {
    pkg = tmp('tk-outside-pkg-');
    for (const d of ['bin', 'dist', 'clauses', 'templates', 'examples'])
      cpSync(path.join(ROOT, d), path.join(pkg, d), { recursive: true });
    cpSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    pkgBin = path.join(pkg, 'bin', 'tenderkit.js');
    before = {
      ...snapshot(path.join(pkg, 'clauses')),
      ...snapshot(path.join(pkg, 'templates')),
    };
  });
  const pkgNow = () => ({
    ...snapshot(path.join(pkg, 'clauses')),
    ...snapshot(path.join(pkg, 'templates')),
  });
  /** A workspace whose library/clauses is a symbolic link to `target`. */
  const linkedWorkspace = (target: string) => {
    const ws = workspace();
    rmSync(path.join(ws, 'library', 'clauses'), { recursive: true });
    symlinkSync(target, path.join(ws, 'library', 'clauses'), 'dir');
    writeFileSync(path.join(ws, 'b.md'), BODY);
    return ws;
  };

  it('library/clauses linked to the package’s clauses/: refused (LibraryReadOnly)', () => {
    const ws = linkedWorkspace(path.join(pkg, 'clauses'));
    const r = tk(
      ws,
      ['clauses', 'new-version', 'letter-closing', '--body-file', 'b.md', '--author', '张三'],
      pkgBin,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('[LibraryReadOnly]');
    expect(pkgNow()).toEqual(before);
  });

  it('BREAK: library/clauses linked to the package’s templates/: `clauses new` is refused and the package is unchanged', () => {
    const ws = linkedWorkspace(path.join(pkg, 'templates'));
    const r = tk(
      ws,
      [
        'clauses',
        'new',
        'data-security',
        '--title',
        '数据安全',
        '--body-file',
        'b.md',
        '--author',
        '张三',
      ],
      pkgBin,
    );
    const written = path.join(pkg, 'templates', 'data-security.yaml');
    // Observed: exit 0, templates/data-security.yaml written into the package, after which every
    // build without a workspace fails (TemplateFileInvalid).
    const damaged = existsSync(written);
    if (damaged) {
      const bare = tk(os.tmpdir(), ['lint', path.join(pkg, 'examples', 'minimal.yaml')], pkgBin);
      expect.soft(bare.err).not.toContain('[TemplateFileInvalid]');
      rmSync(written);
    }
    expect.soft(damaged, 'package templates/ written to').toBe(false);
    expect(r.code).toBe(1);
  });

  it('a clause file that is a link to the package’s file (outside the workspace): refused, as style files are; nothing written', () => {
    // Probed: the change replaced the link with a file. Since the fix, a clause or template file
    // that links to outside the workspace is refused by every command (its text would not be the
    // workspace's own, nor in its version history).
    const ws = workspace();
    const f = clausePath(ws, 'letter-closing');
    rmSync(f);
    symlinkSync(path.join(pkg, 'clauses', 'letter-closing.yaml'), f);
    const template = path.join(ws, 'library', 'templates', 'training-plan.yaml');
    rmSync(template);
    symlinkSync(path.join(pkg, 'templates', 'training-plan.yaml'), template);
    writeFileSync(path.join(ws, 'b.md'), '本承诺书自投标截止之日起生效。\n\n特此郑重承诺。\n');
    const r = tk(
      ws,
      ['clauses', 'new-version', 'letter-closing', '--body-file', 'b.md', '--author', '张三'],
      pkgBin,
    );
    const build = tk(
      ws,
      ['build', 'bids/hospital-his.yaml', '--out', 'out', '--format', 'html'],
      pkgBin,
    );
    for (const run of [r, build]) {
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /library\/clauses\/letter-closing\.yaml：“library\/clauses\/letter-closing\.yaml”是指向工作区之外的链接（实际位于“[^”]+clauses\/letter-closing\.yaml”）.*\[WorkspaceInvalid\]/,
      );
    }
    expect(build.err).toMatch(
      /“library\/templates\/training-plan\.yaml”是指向工作区之外的链接.*\[WorkspaceInvalid\]/,
    );
    expect(lstatSync(f).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(ws, 'out'))).toBe(false);
    expect(pkgNow()).toEqual(before);
  });

  it('library/clauses linked to a folder outside the workspace (not the package): changes refused, reading allowed', () => {
    const elsewhere = tmp('tk-outside-shared-');
    cpSync(path.join(ROOT, 'clauses'), elsewhere, { recursive: true });
    const snap = snapshot(elsewhere);
    const ws = linkedWorkspace(elsewhere);
    const r = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /条款库“library\/clauses”不在工作区“[^”]*”内（实际位于“[^”]+”）.*\[LibraryReadOnly\]/,
    );
    expect(snapshot(elsewhere)).toEqual(snap);
    const list = tk(ws, ['clauses', 'list', '--format', 'json']);
    expect(list.code, list.err).toBe(0);
    expect(JSON.parse(list.out)).toContainEqual(expect.objectContaining({ id: 'letter-closing' }));
  });

  it.skipIf(!canBindMount())(
    'library/clauses bind-mounted from the package’s clauses/ (same folder, another path): refused, package unchanged',
    () => {
      const ws = workspace();
      writeFileSync(path.join(ws, 'b.md'), BODY);
      const target = path.join(ws, 'library', 'clauses');
      // In a private mount namespace: the mount disappears with the process.
      const r = spawnSync(
        'unshare',
        [
          '-m',
          'sh',
          '-c',
          'mount --bind "$1" "$2" && exec "$3" "$4" clauses new-version letter-closing --body-file b.md --author 张三',
          'sh',
          path.join(pkg, 'clauses'),
          target,
          process.execPath,
          pkgBin,
        ],
        { cwd: ws, encoding: 'utf8' },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/同一设备和 inode.*\[LibraryReadOnly\]/);
      expect(pkgNow()).toEqual(before);
    },
  );
});

// ------------------------------------------------------------------------------------------------

describe('a change that would make the clause file too large to load', () => {
  // The loader refuses clause files over 1 MiB (bytes); the changing commands do not check what
  // they write against that limit.
  const limit = 1024 * 1024;
  const CLOSING =
    '本承诺书自投标截止之日起生效，我方愿意按照合同约定承担由此产生的全部违约责任。\n\n特此郑重承诺。\n';

  /** Pads letter-closing.yaml with comment lines to `limit - slack` bytes. */
  function padded(ws: string, line: string, slack: number) {
    const f = clausePath(ws, 'letter-closing');
    const text = read(f);
    const want = limit - slack - Buffer.byteLength(text);
    const one = Buffer.byteLength(`${line}\n`);
    let pad = `${line}\n`.repeat(Math.floor(want / one));
    const rest = want - Buffer.byteLength(pad);
    if (rest >= 2) pad += `#${'x'.repeat(rest - 2)}\n`;
    writeFileSync(f, pad + text);
    expect(statSync(f).size).toBe(limit - slack);
    return f;
  }

  it('BREAK: `clauses new-version` does not write a clause file the library then refuses (CJK padding)', () => {
    const ws = workspace();
    const f = padded(ws, `# ${'法务部备注'.repeat(30)}`, 200);
    const ok = tk(ws, ['clauses', 'lint']);
    expect(ok.code, ok.err).toBe(0);
    const before = read(f);
    writeFileSync(path.join(ws, 'b.md'), CLOSING);
    const r = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    const size = statSync(f).size;
    // Observed: exit 0, the file grows past 1 MiB, and every later build, lint and `clauses lint`
    // in the workspace fails with FileTooLarge.
    expect.soft(size, 'clause file size after new-version').toBeLessThanOrEqual(limit);
    if (size > limit) {
      const after = tk(ws, ['clauses', 'lint']);
      expect.soft(after.err).not.toContain('[FileTooLarge]');
    }
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /library\/clauses\/letter-closing\.yaml：修改后的条款文件将有 \d+ 字节，超过 1048576 字节（1 MB）的上限.*本次修改未写入.*\[FileTooLarge\]/,
    );
    expect(r.err).not.toContain('投标参数文件');
    expect(read(f)).toBe(before);
  });

  it('BREAK: … nor crash with an internal error (exit 70) when the text is over the limit in characters', () => {
    const ws = workspace();
    padded(ws, `# ${'x'.repeat(98)}`, 10);
    writeFileSync(path.join(ws, 'b.md'), 'We will honour this letter.\n'.repeat(80));
    const r = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    expect(r.err).not.toContain('内部错误');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[FileTooLarge]');
  });

  it('a clause file already over the limit is refused by the loader without calling it a bid file', () => {
    const ws = workspace();
    const f = clausePath(ws, 'letter-closing');
    writeFileSync(f, `${'#'.repeat(limit)}\n${read(f)}`);
    const r = tk(ws, ['clauses', 'lint']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /library\/clauses\/letter-closing\.yaml：文件大小为 1\.0 MB.*\[FileTooLarge\]/,
    );
    expect(r.err).not.toContain('投标参数文件');
  });
});

// ------------------------------------------------------------------------------------------------

describe('concurrent changes to one clause file', () => {
  it('two new-version at once: exactly one lands, the other is refused, nothing is lost', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws, 'a.md'),
      '本承诺书自投标截止之日起生效，此为甲稿。\n\n特此承诺。\n',
    );
    writeFileSync(
      path.join(ws, 'b.md'),
      '本承诺书自投标截止之日起生效，此为乙稿。\n\n特此承诺。\n',
    );
    const runs = await Promise.all(
      ['a.md', 'b.md'].map((f) =>
        tkAsync(ws, [
          'clauses',
          'new-version',
          'letter-closing',
          '--body-file',
          f,
          '--author',
          '张三',
        ]),
      ),
    );
    const ok = runs.filter((r) => r.code === 0);
    const text = read(clausePath(ws, 'letter-closing'));
    const drafts = (text.match(/此为[甲乙]稿/g) ?? []).length;
    // Either they ran one after the other (both land, as versions 3 and 4) or one was refused.
    if (ok.length === 1) {
      expect(runs.find((r) => r.code !== 0)!.err).toContain('[ClauseChangeRefused]');
      expect(drafts).toBe(1);
    } else {
      expect(ok.length).toBe(2);
      expect(drafts).toBe(2);
    }
    expect(
      readdirSync(path.dirname(clausePath(ws, 'x'))).filter((n) => n.endsWith('.tmp')),
    ).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('after a build', () => {
  let ws: string;
  let original: string;
  beforeAll(() => {
    ws = workspace();
    original = read(clausePath(ws, 'warranty-period'));
    const b = tk(ws, ['build', 'bids/hospital-his.yaml', '--out', 'out', '--format', 'html']);
    expect(b.code, b.err).toBe(0);
  });

  it('verify notices an approved body changed together with its recorded hash (a hand “re-seal”)', () => {
    const f = clausePath(ws, 'letter-closing');
    const orig = read(f);
    let sealed = '';
    const resealed = editApproved(orig, (b) => {
      const body = bodyOf(b);
      const changed = body.replace('具有约束力', '不具有约束力');
      sealed = sha(changed);
      return firstBodyLine(b, (l) => l.replace('具有约束力', '不具有约束力')).replace(
        sha(body),
        sealed,
      );
    });
    // The hand edit is internally consistent: the library itself cannot tell.
    expect(resealed).toContain(`bodySha256: ${sealed}`);
    writeFileSync(f, resealed);
    const r = tk(ws, ['verify', 'out']);
    writeFileSync(f, orig);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/letter-closing 第 2 版正文已被改动/);
  });

  it('BREAK: a clause’s `title`, printed as a heading of the signed letter, cannot change without approval', () => {
    // The seal covers the body only: a new title goes into the 承诺书 and build, lint and
    // `clauses lint` accept it (verify only notices against an earlier build).
    const f = clausePath(ws, 'warranty-period');
    writeFileSync(f, original.replace(/^title: .*$/m, 'title: 质保期（我方不承担任何费用）'));
    const r = tk(ws, ['build', 'bids/hospital-his.yaml', '--out', 'out2', '--format', 'html']);
    writeFileSync(f, original);
    const letter = path.join(ws, 'out2', '售后服务承诺书.html');
    const printed = r.code === 0 && read(letter).includes('我方不承担任何费用');
    expect(printed).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------

describe('the fixes, through the CLI: disguised self-approval, names without letters', () => {
  let ws: string;
  let draft: string;
  beforeAll(() => {
    ws = workspace();
    writeFileSync(
      path.join(ws, 'b.md'),
      '本承诺书自投标截止之日起生效，此为新稿。\n\n特此承诺。\n',
    );
    const n = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    ]);
    expect(n.code, n.err).toBe(0);
    draft = read(clausePath(ws, 'letter-closing'));
  });

  it('refuses the author approving as 張三 (traditional), 法务部 张三, 张三“(法务部” or 张三丰 (contains the name); another person approves', async () => {
    // Refusals write nothing, so they run side by side.
    const runs = await Promise.all(
      ['張三', '法务部 张三', '张三“(法务部”', '张\u00ad三\ufe0f', '张三丰'].map((by) =>
        tkAsync(ws, ['clauses', 'approve', 'letter-closing', '3', '--by', by]),
      ),
    );
    for (const r of runs) {
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(
        /批准人“.+?”(就是|与)条款“letter-closing”第 3 版的作者.*\[ClauseApprovalInvalid\]/,
      );
    }
    expect(runs[4]!.err).toContain('姓名相同或相互包含');
    expect(runs[3]!.err, 'invisible characters are shown').toContain('<U+00AD>');
    expect(read(clausePath(ws, 'letter-closing'))).toBe(draft);
    const ok = tk(ws, ['clauses', 'approve', 'letter-closing', '3', '--by', '李四']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('条款 letter-closing 第 3 版已由 李四');
  });

  it('refuses an author name with no visible letter', () => {
    writeFileSync(
      path.join(ws, 'c.md'),
      '本承诺书自投标截止之日起生效，此为另一稿。\n\n特此承诺。\n',
    );
    const before = read(clausePath(ws, 'letter-closing'));
    const r = tk(ws, [
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'c.md',
      '--author',
      '\u200b\u2060',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--author.*“<U\+200B><U\+2060>”不是姓名.*\[InvalidValue\]/);
    expect(read(clausePath(ws, 'letter-closing'))).toBe(before);
  });

  it.skipIf(!readable('/proc/self/pagemap'))(
    'reads a body file with a byte limit: /proc/self/pagemap says 0 bytes and reads without end',
    () => {
      const before = read(clausePath(ws, 'letter-closing'));
      const r = tk(ws, [
        'clauses',
        'new-version',
        'letter-closing',
        '--body-file',
        '/proc/self/pagemap',
        '--author',
        '王五',
      ]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/\/proc\/self\/pagemap：条款正文文件超过 1 MB 上限.*\[FileTooLarge\]/);
      expect(read(clausePath(ws, 'letter-closing'))).toBe(before);
    },
  );
});

describe('the fixes, through the CLI: the title and retired versions are sealed too', () => {
  it('a new title is refused until a new version is approved; then the letter prints it', () => {
    const ws = workspace();
    const f = clausePath(ws, 'warranty-period');
    const original = read(f);
    // The approved body in use, to propose again unchanged under the new title.
    const shown = tk(ws, ['clauses', 'show', 'warranty-period', '--format', 'json']);
    const current = JSON.parse(shown.out) as { version: number; body: string };
    writeFileSync(path.join(ws, 'same.md'), current.body);
    writeFileSync(f, original.replace(/^title: .*$/m, 'title: 质保期及质保服务'));
    const refused = tk(ws, ['build', 'bids/hospital-his.yaml', '--out', 'out', '--format', 'html']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /library\/clauses\/warranty-period\.yaml:2:8：条款 warranty-period 的标题被改为“质保期及质保服务”，与批准时记录的“质保期”（approvedTitle）不同.*\[ClauseTitleChanged\]/,
    );
    expect(existsSync(path.join(ws, 'out'))).toBe(false);
    const n = tk(ws, [
      'clauses',
      'new-version',
      'warranty-period',
      '--body-file',
      'same.md',
      '--author',
      '吴晓岚',
      '--note',
      '改标题',
    ]);
    expect(n.code, n.err).toBe(0);
    const version = n.out.trim();
    const approve = tk(ws, ['clauses', 'approve', 'warranty-period', version, '--by', '孟庆和']);
    expect(approve.code, approve.err).toBe(0);
    expect(approve.out).toContain('标题由“质保期”改为“质保期及质保服务”，随本次批准生效');
    expect(read(f)).toMatch(/^title: 质保期及质保服务\napprovedTitle: 质保期及质保服务\n/m);
    const built = tk(ws, ['build', 'bids/hospital-his.yaml', '--out', 'out', '--format', 'html']);
    expect(built.code, built.err).toBe(0);
    expect(read(path.join(ws, 'out', '售后服务承诺书.html'))).toContain('质保期及质保服务');
  });

  it('a retired version that carries a seal must still match it', () => {
    const ws = workspace();
    const r = tk(ws, ['clauses', 'retire', 'letter-closing', '1', '--reason', '已由第 2 版取代']);
    expect(r.code, r.err).toBe(0);
    const f = clausePath(ws, 'letter-closing');
    const text = read(f);
    const tampered = text.replace('与合同具有同等法律效力', '与合同不具有同等法律效力');
    expect(tampered).not.toBe(text);
    writeFileSync(f, tampered);
    const line = tampered.split('\n').findIndex((l) => l.includes('不具有同等法律效力')) + 1;
    const lint = tk(ws, ['clauses', 'lint']);
    expect(lint.code).toBe(1);
    expect(lint.err).toMatch(
      new RegExp(
        String.raw`letter-closing\.yaml:${line}:7：条款 letter-closing 第 1 版：已批准版本被改动（[^\n]*）；停用的版本也不得改动[^\n]*\[ClauseApprovalBroken\]`,
      ),
    );
  });
});

describe('the fixes, through the CLI: a reader that stops early', () => {
  it('`tenderkit schema --for bid | head -1` ends quietly (no EPIPE stack trace)', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        '"$0" "$1" schema --for bid | head -1; exit "${PIPESTATUS[0]}"',
        process.execPath,
        BIN,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('{\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------

describe('editor schemas', () => {
  it('BREAK (README “Ajv compiles all four in strict mode”): README says strict Ajv needs ajv-formats, and with it all four compile', () => {
    // Probed: plain Ajv2020 in strict mode throws “unknown format "date"”: the schemas use the
    // standard `format: date`, which Ajv validates only with ajv-formats. The schema keeps the
    // standard keyword (editors understand it); the README now names ajv-formats.
    const readme = read(path.join(ROOT, 'README.md'));
    const setup = readme.slice(
      readme.indexOf('### Editor set-up'),
      readme.indexOf('### House style'),
    );
    expect(setup).toMatch(/strict mode[^.]*`ajv-formats`/);
    for (const kind of ['bid', 'tender', 'company', 'workspace']) {
      const r = tk(os.tmpdir(), ['schema', '--for', kind]);
      expect(r.code).toBe(0);
      const schema = JSON.parse(r.out) as object;
      if (kind === 'bid')
        expect(() => new Ajv2020({ strict: true }).compile(schema)).toThrow(
          /unknown format "date"/,
        );
      const ajv = new Ajv2020({ strict: true });
      addFormats(ajv);
      expect(() => ajv.compile(schema), kind).not.toThrow();
    }
  });
});
