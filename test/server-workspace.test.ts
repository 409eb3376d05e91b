// The web app in a company workspace (issue 11 through issue 12's server), over real HTTP from the
// real CLI process: `tenderkit init` makes the workspace, legal approves its own wording with the
// CLI, `tenderkit serve` (run inside the workspace, so it finds it from the current folder) shows,
// checks and builds a stored bid with the workspace's clause library, house style and company
// profile; saves never write the profile's values into the bid; the download's documents are the
// ones `tenderkit verify` rebuilds with the workspace byte for byte. An approved clause edited in
// place is refused: by the running server with the located error, and at start-up.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { asFormBody } from './form-helpers.js';
import { pdfPages, ROOT, squash } from './helpers.js';
import { formFields, WebClient, withEdits } from './web-client.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

const NEW_WORDING = '本承诺书经我方法定代表人签署后生效，至合同履行完毕时止。';
const OLD_WORDING = '对我方具有约束力'; // the built-in letter-closing wording it replaces
const BIDDER = '锦程智慧科技有限公司'; // only in company.yaml
const HEADER = '锦程科技投标专用'; // only in tenderkit.yaml's house style

/** Starts `tenderkit serve` and resolves with its address once it listens (or its exit). */
function serve(
  cwd: string,
  args: string[],
): Promise<{ child: ChildProcess; base?: string; code?: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const m = /已启动：(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({ child, base: m[1], out, err });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      resolve({ child, code, out, err });
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

const text = (html: string) => squash(html.replace(/<[^>]+>/g, ''));

describe('the web app in a company workspace', () => {
  let ws = '';
  let data = '';
  let server: ChildProcess | undefined;
  let c: WebClient;
  const bidFile = () => path.join(data, 'bid-starter.yaml');
  const clauseFile = () => path.join(ws, 'library', 'clauses', 'letter-closing.yaml');

  beforeAll(async () => {
    ws = path.join(mkdtempSync(path.join(os.tmpdir(), 'tk-web-ws-')), 'jincheng');
    expect(run(os.tmpdir(), 'init', ws).status).toBe(0);
    // Legal's own wording, proposed and approved by two people through the CLI.
    writeFileSync(path.join(ws, 'closing.md'), `${NEW_WORDING}\n\n特此承诺。\n`);
    const proposed = run(
      ws,
      ...['clauses', 'new-version', 'letter-closing', '--body-file', 'closing.md'],
      ...['--author', '吴晓岚', '--format', 'json'],
    );
    expect(proposed.status, proposed.stderr).toBe(0);
    const { version } = JSON.parse(proposed.stdout) as { version: number };
    const approved = run(
      ws,
      ...['clauses', 'approve', 'letter-closing', String(version), '--by', '孟庆和'],
    );
    expect(approved.status, approved.stderr).toBe(0);
    // The company's name in its profile, a header in its house style.
    const company = path.join(ws, 'company.yaml');
    writeFileSync(
      company,
      readFileSync(company, 'utf8').replace('name: 示例信息技术有限公司', `name: ${BIDDER}`),
    );
    writeFileSync(
      path.join(ws, 'tenderkit.yaml'),
      `${readFileSync(path.join(ws, 'tenderkit.yaml'), 'utf8')}\nstyle:\n  header: { text: ${HEADER} }\n`,
    );
    // The starter bid (bidder and signer from the profile, people and channels picked from it),
    // stored in the server's data folder.
    data = path.join(ws, 'data');
    mkdirSync(data);
    cpSync(path.join(ws, 'bids', '示例投标.yaml'), bidFile());
    // Run inside the workspace without --workspace: serve finds it from the current folder.
    const s = await serve(path.join(ws, 'bids'), ['--data', data]);
    expect(s.base, `${s.out}${s.err}`).toBeDefined();
    expect(s.out).toContain(`工作区：${ws}`);
    server = s.child;
    c = new WebClient(s.base!);
    await c.get('/bids');
  }, 120_000);

  afterAll(async () => {
    await stop(server);
  });

  it('previews and checks a stored bid with the workspace’s wording, style and profile; saving keeps the bid its own', async () => {
    // The list's status is the build's: complete, with the profile's bidder and signer.
    const list = (await c.get('/bids')).text;
    expect(text(list)).toMatch(/示例市人民医院信息系统运维服务项目.*示例市人民医院填写完整/);

    const original = readFileSync(bidFile(), 'utf8');
    const page = await c.get('/bids/bid-starter');
    expect(page.status).toBe(200);
    // The bid leaves the bidder to the profile: the field stays empty, the profile's value shown.
    expect(page.text).toMatch(
      new RegExp(`name="bidder\\.name" value="" placeholder="公司资料：${BIDDER}"`),
    );
    expect(page.text).toMatch(/id="status"[^>]*>\s*<strong class="good">填写完整<\/strong>/);
    const preview = text(/<div class="preview" id="preview"[\s\S]*<\/aside>/.exec(page.text)![0]);
    expect(preview).toContain(squash(NEW_WORDING));
    expect(preview).not.toContain(OLD_WORDING);
    expect(preview).toContain(`投标人（盖单位章）：${BIDDER}`);
    expect(preview).toContain('张伟'); // picked from the profile's roster pool
    expect(page.text).toContain(`<span class="tk-header-text">${HEADER}</span>`);

    // The live check (one pass, in a worker) with the same workspace: nothing to fix.
    const fields = formFields(page.text);
    const live = await c.postJson('/api/preview', asFormBody(fields));
    expect(live.status).toBe(200);
    const j = JSON.parse(live.text) as { errorCount: number; docs: { html: string }[] };
    expect(j.errorCount).toBe(0);
    expect(text(j.docs.map((d) => d.html).join(''))).toContain(squash(NEW_WORDING));

    // Saved unchanged: byte for byte the same file, no profile value written into it.
    const same = await c.post('/bids/bid-starter', withEdits(fields, { _action: 'save' }));
    expect(same.status).toBe(303);
    expect(readFileSync(bidFile(), 'utf8')).toBe(original);
    // An edit changes its own line only.
    const edited = await c.post(
      '/bids/bid-starter',
      withEdits(formFields((await c.get('/bids/bid-starter')).text), {
        'project.name': '示例市人民医院信息系统运维服务项目（二期）',
        _action: 'save',
      }),
    );
    expect(edited.status).toBe(303);
    const after = readFileSync(bidFile(), 'utf8');
    expect(after.split('\n').filter((l, i) => l !== original.split('\n')[i])).toEqual([
      '  name: 示例市人民医院信息系统运维服务项目（二期）',
    ]);
    const saved = parse(after) as Record<string, unknown>;
    expect(saved.bidder).toBeUndefined();
    expect((saved.signature as Record<string, unknown>).signer).toBeUndefined();
  });

  it('downloads documents made with the workspace, which `tenderkit verify` rebuilds byte for byte', async () => {
    const zip = await c.get('/bids/bid-starter/download.zip');
    expect(zip.status).toBe(200);
    const files = unzipSync(new Uint8Array(zip.body));
    const letter = squash(pdfPages(Buffer.from(files['售后服务承诺书.pdf']!)).join(''));
    expect(letter).toContain(squash(NEW_WORDING));
    expect(letter).not.toContain(OLD_WORDING);
    expect(letter).toContain(`投标人（盖单位章）：${BIDDER}`);
    expect(letter).toContain(HEADER);
    // The manifest records the workspace and the profile, relative to the bid's folder.
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8')) as {
      bid: { path: string };
      workspace: { settings: { file: string }; library: string };
      company: { file: string };
      documents: { id: string; clauses: { id: string; version: number }[] }[];
    };
    expect(manifest.bid.path).toBe('bid-starter.yaml');
    expect(manifest.workspace.settings.file).toBe('../tenderkit.yaml');
    expect(manifest.workspace.library).toBe('../library');
    expect(manifest.company.file).toBe('../company.yaml');
    // Unzipped beside the data folder (the same place relative to the workspace), the CLI
    // rebuilds every document from the bid in the zip and the workspace: the same bytes.
    const dir = path.join(ws, 'downloads');
    mkdirSync(dir);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
    const v = run(os.tmpdir(), 'verify', dir);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('✓ 售后服务承诺书.pdf 重新生成后逐字节一致');
    expect(v.stdout).toContain('复核通过');
  });

  it('refuses an approved clause edited in place (the running server answers with the located error, a new one does not start), and a company.yaml with mistakes', async () => {
    const approvedText = readFileSync(clauseFile(), 'utf8');
    const tampered = approvedText.replace('至合同履行完毕时止', '至质保期满时止');
    expect(tampered).not.toBe(readFileSync(clauseFile(), 'utf8'));
    writeFileSync(clauseFile(), tampered);
    const located = /library\/clauses\/letter-closing\.yaml:\d+:\d+.*已批准版本被改动/;

    // The form: the problem, located, instead of a preview made from the edited wording.
    const page = await c.get('/bids/bid-starter');
    const general = /<ul class="errors block general"[^>]*>([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    expect(general).toMatch(located);
    expect(text(page.text)).not.toContain('至质保期满时止');
    expect(page.text).not.toContain('填写完整</strong>');
    // A download: 422 with the located problem, no file.
    const pdf = await c.get('/bids/bid-starter/download/commitment-letter.pdf');
    expect(pdf.status).toBe(422);
    expect(pdf.headers['content-type']).toMatch(/html/);
    expect(pdf.text).toMatch(located);
    // The clause browser reads the same library.
    const clauses = await c.get('/clauses');
    expect(clauses.status).toBe(500);
    expect(clauses.text).toMatch(located);

    await stop(server);
    server = undefined;
    const again = await serve(os.tmpdir(), ['--workspace', ws, '--data', data]);
    expect(again.base).toBeUndefined();
    expect(again.code).toBe(1);
    expect(again.err).toMatch(located);
    expect(again.out).not.toContain('已启动');

    // The approved text restored, a mistake in the company profile stops it too, located there.
    writeFileSync(clauseFile(), approvedText);
    const company = path.join(ws, 'company.yaml');
    writeFileSync(
      company,
      readFileSync(company, 'utf8').replace('hotline: 400-800-0000', 'hotline: 热线四百'),
    );
    const third = await serve(os.tmpdir(), ['--workspace', ws, '--data', data]);
    expect(third.code).toBe(1);
    expect(third.err).toMatch(/company\.yaml:\d+:\d+/);
    expect(third.out).not.toContain('已启动');
  });
});
