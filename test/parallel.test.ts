// Speed without surprises: the PDF thread writes the same bytes as the main thread, its failures
// reach the user like any other, each command loads only what it needs, and `lint` checks figures
// without drawing their text.
import { spawnSync } from 'node:child_process';
import { zipSync } from 'fflate';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBid, renderChecked } from '../src/build.js';
import { TenderKitError, diagnostic } from '../src/diagnostics/diagnostic.js';
import type { Document, Figure } from '../src/ir/types.js';
import { docxParts, docxWriter } from '../src/writers/docx/index.js';
import type { WriterThread } from '../src/writers/thread.js';
import type { Format } from '../src/writers/types.js';
import { exampleFile, prepareExample, ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const RECORDER = path.join(ROOT, 'test', 'fixtures', 'record-modules.mjs');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tk-par-'));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/**
 * Runs the CLI recording the modules it loads: ESM as resolved, CommonJS per thread. From dist/
 * (TENDERKIT_BUNDLE=off): the bundle holds the same modules, initialised on the same imports, but
 * in one file (test/launch.test.ts checks what it requires).
 */
function modulesLoaded(args: string[], env: Record<string, string> = {}) {
  const log = path.join(tmp(), 'modules.log');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_BUNDLE: 'off', ...env, TK_MODULE_LOG: log },
  });
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const esm = lines.filter((l) => l.startsWith('esm ')).map((l) => l.slice(4));
  const mainCjs = lines.filter((l) => l.startsWith('cjs 0 ')).map((l) => l.slice(6));
  const packages = new Set(
    [...esm, ...mainCjs].flatMap((u) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
      return m ? [m[1]!] : [];
    }),
  );
  // Writer threads started: each resolves its entry module once.
  const writerThreads = esm.filter((u) => u.endsWith('/writers/thread-worker.js')).length;
  return { r, esm, mainCjs, packages, writerThreads };
}

function filesOf(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
}

describe('the PDF thread', () => {
  it('writes byte for byte what the main thread writes', () => {
    const threaded = tmp();
    const serial = tmp();
    const a = modulesLoaded(
      ['build', exampleFile('highway-monitoring'), '--out', threaded, '--format', 'docx,pdf,html'],
      { TENDERKIT_THREADS: '1' },
    );
    const b = modulesLoaded(
      ['build', exampleFile('highway-monitoring'), '--out', serial, '--format', 'docx,pdf,html'],
      { TENDERKIT_THREADS: '0' },
    );
    expect(a.r.status, a.r.stderr).toBe(0);
    expect(b.r.status, b.r.stderr).toBe(0);
    // The thread really ran: its module was loaded. (The main thread loads pdfmake too when it
    // takes back PDFs the thread has not begun.)
    expect(a.esm.some((u) => u.endsWith('/dist/writers/thread-worker.js'))).toBe(true);
    expect(b.esm.some((u) => u.endsWith('/thread-worker.js'))).toBe(false);
    expect(b.mainCjs.some((f) => f.includes('/node_modules/pdfmake/'))).toBe(true);

    const x = filesOf(threaded);
    const y = filesOf(serial);
    expect([...x.keys()].sort()).toEqual([...y.keys()].sort());
    expect(x.size).toBe(13); // 4 documents × 3 formats + manifest.json
    for (const [name, bytes] of x) expect(bytes.equals(y.get(name)!), name).toBe(true);
    // Both report every file, in the same order on stdout.
    expect(a.r.stdout.replaceAll(threaded, 'OUT')).toBe(b.r.stdout.replaceAll(serial, 'OUT'));
  });

  it('starts once for a build that writes PDFs, before the bundle loads; never for others', () => {
    const bid = exampleFile('dev-project-60m');
    const run = (args: string[], env: Record<string, string> = {}) =>
      modulesLoaded(args, {
        TENDERKIT_BUNDLE: 'on',
        TENDERKIT_THREADS: '1',
        TENDERKIT_DEBUG_LAUNCH: '1',
        ...env,
      });
    const pdf = run(['build', bid, '--out', tmp(), '--format', 'docx,pdf']);
    expect(pdf.r.status, pdf.r.stderr).toBe(0);
    // Started by the CLI before the bundle, taken over by the build: one thread.
    expect(pdf.r.stderr.match(/^\[thread\] .*$/gm)).toEqual(['[thread] started early, taken over']);
    expect(pdf.writerThreads).toBe(1);
    for (const args of [
      ['build', bid, '--out', tmp(), '--format=docx'],
      ['build', '--help'],
      ['lint', bid],
    ]) {
      const r = run(args);
      expect(r.r.status, `${args.join(' ')}: ${r.r.stderr}`).toBe(0);
      expect(r.writerThreads, args.join(' ')).toBe(0);
      expect(r.r.stderr, args.join(' ')).not.toContain('[thread]');
    }
    // A build that fails before it writes: the early thread does not keep the process alive.
    const bad = run(['build', path.join(tmp(), 'missing.yaml'), '--out', tmp()]);
    expect(bad.r.status).toBe(1);
    expect(bad.r.stderr).not.toMatch(/\n\s+at /);
    // TENDERKIT_THREADS=0: no thread at all.
    const one = run(['build', bid, '--out', tmp()], { TENDERKIT_THREADS: '0' });
    expect(one.r.status, one.r.stderr).toBe(0);
    expect(one.writerThreads).toBe(0);
  });

  it('reports a character the PDF font lacks exactly as the main thread does, writing nothing', () => {
    const dir = tmp();
    const bid = path.join(dir, 'bid.yaml');
    writeFileSync(
      bid,
      readFileSync(exampleFile('dev-project-60m'), 'utf8').replace(/^(\s+name: )(.+)$/m, '$1$2𓀀'),
    );
    const results = ['1', '0'].map((threads) => {
      const out = path.join(dir, `out-${threads}`);
      const r = cli(['build', bid, '--out', out], { TENDERKIT_THREADS: threads });
      const problems = r.stderr.split('\n').filter((l) => !/^\[\d+\/\d+\]/.test(l));
      return {
        r,
        problems,
        wrote: readdirSync(dir).includes(`out-${threads}`) ? readdirSync(out) : [],
      };
    });
    for (const { r, problems, wrote } of results) {
      expect(r.status).toBe(1);
      expect(problems.join('\n')).toMatch(
        /bid\.yaml:\d+:\d+ .*字符“𓀀”（U\+13000.*\[MissingGlyph\]/,
      );
      expect(problems.join('\n')).toContain('未生成任何文件');
      expect(wrote).toEqual([]);
    }
    expect(results[0]!.problems).toEqual(results[1]!.problems);
  });
});

/**
 * A stand-in writer thread: records what it is sent and answers when told to. A document
 * `givesBack` names is one it has not begun when the main thread asks for it back.
 */
function fakeThread(formats: Format[], givesBack: readonly string[] = []) {
  const sent: { format: Format; doc: Document; settle: (r: Buffer | Error) => void }[] = [];
  const takenBack: string[] = [];
  const thread = {
    handles: (f: Format) => formats.includes(f),
    write: (format: Format, doc: Document) => {
      let settle!: (r: Buffer | Error | undefined) => void;
      const bytes = new Promise<Buffer | undefined>((resolve, reject) => {
        settle = (r) => (r instanceof Error ? reject(r) : resolve(r));
      });
      sent.push({ format, doc, settle });
      const takeBack = () => {
        if (!givesBack.includes(doc.meta.id)) return false;
        takenBack.push(`${doc.meta.id}.${format}`);
        settle(undefined); // the thread's answer once it comes to the job: taken
        return true;
      };
      return { bytes, takeBack };
    },
  } as unknown as WriterThread;
  return { thread, sent, takenBack };
}

describe('buildBid with a writer thread', () => {
  it('sends each document as soon as it is rendered, and puts the answers in their place', async () => {
    const bid = prepareExample('highway-monitoring');
    const { thread, sent } = fakeThread(['pdf']);
    const renderedBefore: number[] = [];
    const building = buildBid(bid.params, {
      extra: bid.extra,
      formats: ['docx', 'pdf'],
      thread,
      // Warnings come from the checks, which run after every document is rendered.
      onWarning: () => renderedBefore.push(sent.length),
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.map((s) => s.doc.meta.id)).toEqual([
      'commitment-letter',
      'service-plan',
      'training-plan',
      'deviation-table',
    ]);
    expect(sent.every((s) => s.format === 'pdf')).toBe(true);
    if (renderedBefore.length) expect(renderedBefore[0]).toBe(4);
    sent.forEach((s, i) => s.settle(Buffer.from(`pdf ${i}`)));
    const files = await building;
    expect(files.map((f) => f.fileName)).toEqual([
      '售后服务承诺书.docx',
      '售后服务承诺书.pdf',
      '售后服务方案.docx',
      '售后服务方案.pdf',
      '培训方案.docx',
      '培训方案.pdf',
      '偏离表.docx',
      '偏离表.pdf',
    ]);
    expect(files.filter((f) => f.format === 'pdf').map((f) => f.bytes.toString())).toEqual([
      'pdf 0',
      'pdf 1',
      'pdf 2',
      'pdf 3',
    ]);
    expect(files[0]!.bytes.subarray(0, 2).toString()).toBe('PK'); // written here, a real .docx
  });

  it('takes back the documents the thread has not begun, the last first, and writes them here', async () => {
    const bid = prepareExample('highway-monitoring');
    const opts = { extra: bid.extra, formats: ['docx', 'pdf'] as Format[] };
    const serial = await buildBid(bid.params, opts);
    const { thread, sent, takenBack } = fakeThread(['pdf'], ['training-plan', 'deviation-table']);
    const progress: string[] = [];
    const building = buildBid(bid.params, {
      ...opts,
      thread,
      onProgress: (_done, _total, name) => progress.push(name),
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(4);
    // The thread answers for what it kept (the 售后服务方案's .docx waits for its PDF's pages).
    const kept = sent.filter((s) => !['training-plan', 'deviation-table'].includes(s.doc.meta.id));
    // This thread writes its .docx files, then asks for the rest back.
    for (let t = 0; takenBack.length < 2 && t < 600; t++)
      await new Promise((r) => setTimeout(r, 50));
    expect(takenBack).toEqual(['deviation-table.pdf', 'training-plan.pdf']);
    const realPdf = (id: string) => serial.find((f) => f.documentId === id && f.format === 'pdf')!;
    for (const s of kept) s.settle(realPdf(s.doc.meta.id).bytes);
    const files = await building;
    expect(files.map((f) => f.fileName)).toEqual(serial.map((f) => f.fileName));
    files.forEach((f, i) => expect(f.bytes.equals(serial[i]!.bytes), f.fileName).toBe(true));
    // Every file reported once, those taken back too.
    expect([...progress].sort()).toEqual(serial.map((f) => f.fileName).sort());
  });

  it('reports every failing file, in order, and leaves no rejection unhandled', async () => {
    const bid = prepareExample('dev-project-60m');
    const { thread, sent } = fakeThread(['pdf']);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const building = buildBid(bid.params, { extra: bid.extra, formats: ['docx', 'pdf'], thread });
      await new Promise((r) => setTimeout(r, 0));
      sent[2]!.settle(new TenderKitError([diagnostic('MissingGlyph', '第三份')]));
      sent[1]!.settle(new TenderKitError([diagnostic('MissingGlyph', '第二份')]));
      sent[0]!.settle(Buffer.from('ok'));
      // The last document failed first; both are reported, in the order of the files.
      await expect(building).rejects.toThrow(/第二份[^]*第三份/);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('a writer thread that fails', () => {
  it('is replaced by this thread: the build still writes every file, the same bytes', async () => {
    const bid = prepareExample('dev-project-60m');
    const opts = { extra: bid.extra, formats: ['pdf'] as Format[] };
    const serial = await buildBid(bid.params, opts);
    const { thread, sent } = fakeThread(['pdf']);
    const building = buildBid(bid.params, { ...opts, thread });
    await new Promise((r) => setTimeout(r, 0));
    for (const s of sent) s.settle(new Error('writer thread exited (code 1)'));
    const files = await building;
    expect(files.map((f) => f.fileName)).toEqual(serial.map((f) => f.fileName));
    files.forEach((f, i) => expect(f.bytes.equals(serial[i]!.bytes), f.fileName).toBe(true));
  });

  it('a real thread, closed before the build, leaves the writing to this thread', async () => {
    const { WriterThread } = await import('../src/writers/thread.js');
    const thread = new WriterThread(['pdf']);
    await thread.close();
    const bid = prepareExample('dev-project-60m');
    const files = await buildBid(bid.params, { extra: bid.extra, formats: ['pdf'], thread });
    expect(files).toHaveLength(3);
    for (const f of files) expect(f.bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('lint and explain check figures without drawing their text', () => {
  it('finds the same figures, numbers, captions and data as a build', () => {
    const bid = prepareExample('highway-monitoring');
    const drawn = renderChecked(bid.params, { extra: bid.extra });
    const checked = renderChecked(bid.params, { extra: { ...bid.extra, outlineFigures: false } });
    const figures = (docs: Document[]) =>
      docs.flatMap((d) =>
        d.children
          .filter((b): b is Figure => b.type === 'figure')
          .map(({ id, number, caption, data, source }) => ({
            doc: d.meta.id,
            id,
            number,
            caption,
            data,
            source,
          })),
      );
    expect(figures(drawn).length).toBeGreaterThanOrEqual(3);
    expect(figures(checked)).toEqual(figures(drawn));
    // Everything but the figures' drawing is the same.
    const strip = (docs: Document[]) =>
      JSON.stringify(docs, (k, v) =>
        k === 'svg' || k === 'marks' || k === 'width' || k === 'height' ? undefined : v,
      );
    expect(strip(checked)).toBe(strip(drawn));
    // The drawn figures carry their words as outlines; the checked ones carry none.
    const svgs = (docs: Document[]) =>
      docs.flatMap((d) => d.children.flatMap((b) => (b.type === 'figure' ? [b.svg] : [])));
    expect(svgs(drawn).every((s) => /<path [^>]*d="M/.test(s))).toBe(true);
    expect(svgs(checked).some((s) => s.includes('<path'))).toBe(false);
  });
});

describe('each command loads only what it needs', () => {
  const heavy = [
    'zod',
    'yaml',
    'nunjucks',
    'docx',
    'pdfmake',
    'fontkit',
    '@resvg/resvg-js',
    'micromark',
    'express',
  ];

  it.each([[['--version']], [['--help']], [['biuld', 'x.yaml']]])(
    '`tenderkit %s` loads none of the schema, library, renderers or writers',
    (args) => {
      const { r, packages } = modulesLoaded(args);
      expect(r.status, r.stderr).toBe(args[0] === 'biuld' ? 2 : 0);
      expect(heavy.filter((p) => packages.has(p))).toEqual([]);
    },
  );

  it('lint loads no writer, no font parser and no rasteriser', () => {
    const { r, packages } = modulesLoaded(['lint', exampleFile('highway-monitoring')]);
    expect(r.status, r.stderr).toBe(0);
    expect(packages.has('zod') && packages.has('nunjucks')).toBe(true);
    expect(
      ['docx', 'pdfmake', 'fontkit', '@resvg/resvg-js'].filter((p) => packages.has(p)),
    ).toEqual([]);
  });

  it.each([
    ['docx', ['pdfmake']],
    ['pdf', ['docx', '@resvg/resvg-js']],
    ['html', ['docx', 'pdfmake', '@resvg/resvg-js']],
  ])('a --format %s build loads no other writer', (format, absent) => {
    const out = tmp();
    // Without the 售后服务方案: a .docx with a contents lays the document out as the PDF does
    // (pdfmake) to print the contents' page numbers — checked below.
    const bid = path.join(out, '..', `${path.basename(out)}-bid.yaml`);
    writeFileSync(
      bid,
      `documents: [commitment-letter, training-plan]\n${readFileSync(exampleFile('dev-project-60m'), 'utf8')}`,
    );
    const { r, packages } = modulesLoaded(['build', bid, '--out', out, '--format', format]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith(`.${format}`))).toHaveLength(2);
    expect(absent.filter((p) => packages.has(p))).toEqual([]);
  });

  it('a --format docx build of a 售后服务方案 loads pdfmake only to number its contents, and writes what a full build writes', () => {
    const alone = tmp();
    const full = tmp();
    const a = modulesLoaded([
      'build',
      exampleFile('dev-project-60m'),
      '--out',
      alone,
      '--format',
      'docx',
    ]);
    const b = modulesLoaded(['build', exampleFile('dev-project-60m'), '--out', full]);
    expect(a.r.status, a.r.stderr).toBe(0);
    expect(b.r.status, b.r.stderr).toBe(0);
    expect(a.packages.has('pdfmake')).toBe(true);
    // The full build takes the contents' numbers from the PDF it wrote; the .docx-only build lays
    // the document out itself: the same bytes either way.
    for (const f of readdirSync(alone).filter((n) => n.endsWith('.docx')))
      expect(readFileSync(path.join(alone, f)).equals(readFileSync(path.join(full, f))), f).toBe(
        true,
      );
  });
});

describe('a .docx with a table of contents', () => {
  it('is the package that zipping, unzipping and re-zipping it made, without the first zip', async () => {
    for (const name of ['highway-monitoring', 'hospital-his']) {
      const bid = prepareExample(name);
      const docs = renderChecked(bid.params, { extra: bid.extra });
      const withToc = docs.filter((d) => d.children.some((b) => b.type === 'toc'));
      expect(withToc.length).toBeGreaterThan(0);
      for (const doc of withToc) {
        const now = await docxWriter.write(doc);
        // The way it was written before: Packer's zip, unzipped, parts patched, re-zipped.
        const files = await docxParts(doc, true);
        const mtime = new Date(`${doc.meta.date}T00:00:00Z`);
        const before = zipSync(
          Object.fromEntries(
            Object.entries(files).map(([k, v]) => [
              k,
              [v, { mtime, level: k.startsWith('word/media/') ? 0 : 6 }],
            ]),
          ) as Parameters<typeof zipSync>[0],
        );
        expect(Buffer.from(before).equals(now), `${name} ${doc.meta.id}`).toBe(true);
      }
    }
  });
});
