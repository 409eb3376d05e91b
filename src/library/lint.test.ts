import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import { prepareExample, ROOT } from '../../test/helpers.js';
import { parseDocument } from 'yaml';
import { bodySha256 } from './governance.js';
import { defaultLibrary, loadLibrary } from './library.js';
import { lintLibrary, variablesUsed } from './lint.js';

/**
 * Edits a clause file in a copied library and records the new hash of every approved body, as a
 * re-approval would: these tests are about lint's checks of approved text, not about the seal.
 */
function editApproved(file: string, edit: (text: string) => string) {
  const doc = parseDocument(edit(readFileSync(file, 'utf8')));
  for (const v of (
    doc.toJS() as { versions: { status: string; body: string }[] }
  ).versions.entries())
    if (v[1].status === 'approved')
      doc.setIn(['versions', v[0], 'bodySha256'], bodySha256(v[1].body));
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

const bids = ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal'].map((name) => ({
  name,
  bid: prepareExample(name),
}));

describe('variables a clause reads', () => {
  it('follows loops, conditions and filter arguments through the AST', () => {
    const uses = variablesUsed(
      '{% for t in responseTiers %}{{ t.name }}{% for m in t.milestones %}{% if m.within %}{{ m.within | within }}{% endif %}{% endfor %}{% endfor %}' +
        "{{ m.audiences | lookupNames(training.audiences) }}{% set used = training.modules | pluck('method') %}{{ used }}{{ loop.index }}",
    );
    expect(uses.map((u) => u.path.join('.'))).toEqual([
      'responseTiers',
      'responseTiers.0.name',
      'responseTiers.0.milestones',
      'responseTiers.0.milestones.0.within',
      'responseTiers.0.milestones.0.within',
      'm.audiences',
      'training.audiences',
      'training.modules',
    ]);
  });
});

describe('clauses lint', () => {
  it('passes the shipped library (before any review date)', () => {
    expect(
      lintLibrary(defaultLibrary(), { today: '2026-01-01', bids }).map(formatDiagnostic),
    ).toEqual([]);
  });

  it('warns about a review-by date that has passed', () => {
    const d = lintLibrary(defaultLibrary(), { today: '2026-11-22', bids });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      name: 'ClauseReviewDue',
      severity: 'warning',
      location: { file: expect.stringMatching(/letter-closing\.yaml$/), line: 13, col: 15 },
    });
  });

  it('finds an unknown field, a clause that fails to render, and a template using a retired clause', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tk-lib-'));
    cpSync(path.join(ROOT, 'clauses'), path.join(root, 'clauses'), { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
    const wp = path.join(root, 'clauses', 'warranty-period.yaml');
    editApproved(wp, (t) =>
      t.replace('的免费质保期为{{ c.period | period }}', '的免费质保期为{{ c.periods | period }}'),
    );
    editApproved(path.join(root, 'clauses', 'letter-closing.yaml'), (t) =>
      t.replace(
        '本承诺书自投标截止之日起生效。',
        '本承诺书自投标截止之日起生效，服务人员{{ staff.committedCount }}名。',
      ),
    );
    const oo = path.join(root, 'clauses', 'out-of-warranty.yaml');
    writeFileSync(oo, readFileSync(oo, 'utf8').replaceAll('status: approved', 'status: retired'));
    const d = lintLibrary(loadLibrary(root), { today: '2026-01-01', bids });
    const text = d.map(formatDiagnostic).join('\n');
    expect(text).toMatch(
      /warranty-period\.yaml:\d+:\d+：条款 warranty-period 第 3 版引用了投标参数中不存在的字段“c\.periods”/,
    );
    // Reported once, not again as a render failure with every example.
    expect(text).not.toMatch(/warranty-period 第 3 版用示例/);
    expect(text).toMatch(
      /letter-closing\.yaml:\d+:\d+：条款 letter-closing 第 2 版用示例 (?:[\w-]+、)*minimal 渲染失败：表达式 \{\{ staff\.committedCount \}\} 没有取值/,
    );
    expect(text).toMatch(
      /commitment-letter\.yaml:\d+:\d+：模板 commitment-letter 引用的条款“out-of-warranty”没有可用的已批准版本/,
    );
  });

  it('refuses a number with a unit written into clause text: a promise the bid did not set', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tk-lib-'));
    cpSync(path.join(ROOT, 'clauses'), path.join(root, 'clauses'), { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
    const sc = path.join(root, 'clauses', 'service-channels.yaml');
    editApproved(sc, (t) =>
      t.replace(
        '我方售后服务时间为{{ service.hours | svcHours }}。',
        '我方提供7×24小时服务，服务时间为{{ service.hours | svcHours }}，两小时内响应。',
      ),
    );
    const d = lintLibrary(loadLibrary(root), { today: '2026-01-01', bids });
    const hard = d.filter((x) => x.name === 'HardCodedValue');
    expect(hard.map((x) => x.severity)).toEqual(['error', 'error']);
    expect(hard.map(formatDiagnostic).join('\n')).toMatch(
      /service-channels\.yaml:\d+:\d+：条款 service-channels 第 2 版写死了“7×24”[^]*写死了“两小时”/,
    );
  });

  it('locates a finding in a one-line quoted body on the body’s own line', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tk-lib-'));
    cpSync(path.join(ROOT, 'clauses'), path.join(root, 'clauses'), { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
    const file = path.join(root, 'clauses', 'letter-closing.yaml');
    const text = readFileSync(file, 'utf8');
    const doc = parseDocument(text);
    const versions = doc.get('versions') as { items: unknown[] };
    const last = versions.items.length - 1;
    doc.setIn(['versions', last, 'body'], '我方承诺两小时内响应。');
    const node = doc.getIn(['versions', last, 'body'], true) as { type?: string };
    node.type = 'QUOTE_DOUBLE';
    doc.setIn(['versions', last, 'bodySha256'], bodySha256('我方承诺两小时内响应。'));
    const out = doc.toString({ lineWidth: 0 });
    writeFileSync(file, out);
    const line = out.split('\n').findIndex((l) => l.includes('body: "我方承诺')) + 1;
    const d = lintLibrary(loadLibrary(root), { today: '2026-01-01', bids }).filter(
      (x) => x.name === 'HardCodedValue',
    );
    expect(d).toHaveLength(1);
    expect(d[0]!.location?.line).toBe(line);
  });
});
