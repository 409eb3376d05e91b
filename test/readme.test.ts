// The README's worked example is a promise: its YAML is the shipped example's, and the letter it
// quotes is what the real CLI writes, in Word, PDF and HTML.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { docxParagraphs, exampleFile, pdfPages, ROOT, squash } from './helpers.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## The bid file is the list of commitments'),
  readme.indexOf('## Checks: consistency'),
);

/** The quoted letter lines, without Markdown, list markers or blockquote marks. */
function quotedSentences(): string[] {
  const quote = section.slice(section.indexOf('and the letter says'));
  return quote
    .split('\n')
    .filter((l) => l.startsWith('>'))
    .map((l) =>
      l
        .replace(/^>\s*/, '')
        .replace(/^(?:\d+\.|（\d+）|-)\s*/, '')
        .replace(/\*\*/g, ''),
    )
    .filter((l) => l.trim())
    .flatMap((l) => l.split(/(?<=[；。])/))
    .map((l) => l.trim())
    .filter(Boolean);
}

describe('README worked example', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tk-readme-'));
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/tenderkit.js'),
        'build',
        exampleFile('highway-monitoring'),
        '--out',
        dir,
        '--format',
        'docx,pdf,html',
      ],
      { stdio: 'pipe' },
    );
  }, 120_000);

  it('quotes YAML that is in the shipped example, value for value', () => {
    const block = section.slice(
      section.indexOf('```yaml') + 7,
      section.indexOf('```', section.indexOf('```yaml') + 7),
    );
    const shown = parse(block) as {
      warranty: { components: unknown[] };
      responseTiers: { name: string }[];
    };
    const example = parse(readFileSync(exampleFile('highway-monitoring'), 'utf8')) as {
      version: number;
      warranty: { components: unknown[]; start: string };
      responseTiers: { name: string }[];
    };
    expect(example.version).toBe(2);
    expect(example.warranty.components).toContainEqual(shown.warranty.components[0]);
    for (const t of shown.responseTiers)
      expect(example.responseTiers.find((x) => x.name === t.name)).toEqual(t);
  });

  it('quotes sentences the letter really contains, in every format', () => {
    const sentences = quotedSentences();
    expect(sentences.length).toBeGreaterThan(8);
    const html = squash(
      readFileSync(path.join(dir, '售后服务承诺书.html'), 'utf8')
        .replace(/<style[\s\S]*?<\/style>/, '')
        .replace(/<[^>]+>/g, ''),
    );
    const pdf = squash(pdfPages(readFileSync(path.join(dir, '售后服务承诺书.pdf'))).join(''));
    const docx = squash(
      docxParagraphs(readFileSync(path.join(dir, '售后服务承诺书.docx'))).join(''),
    );
    for (const s of sentences) {
      expect(html, s).toContain(squash(s));
      expect(pdf, s).toContain(squash(s));
      expect(docx, s).toContain(squash(s));
    }
  });
});

describe('README explain excerpt', () => {
  it('shows lines the real `tenderkit explain` prints for the example, bid lines included', () => {
    const shown = readme
      .split('\n')
      .filter((l) => l.startsWith('examples/highway-monitoring.yaml:'));
    expect(shown.length).toBeGreaterThanOrEqual(3);
    const printed = execFileSync(
      process.execPath,
      [path.join(ROOT, 'bin/tenderkit.js'), 'explain', 'examples/highway-monitoring.yaml'],
      { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' },
    ).split('\n');
    for (const l of shown) expect(printed, l).toContain(l);
  }, 60_000);
});
