import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import { exampleFile } from '../../test/helpers.js';
import { loadBidText } from './bid.js';
import { COMMITMENT_SECTIONS, documentsOf } from '../schema/bid.js';

const valid = readFileSync(exampleFile('hospital-his'), 'utf8');

function problems(text: string | Buffer) {
  const r = loadBidText(text, 'bid.yaml');
  if (r.ok) throw new Error('expected the bid to be refused');
  return r.diagnostics;
}

describe('loading a bid file', () => {
  it('accepts every shipped example; defaults add no commitment', () => {
    const r = loadBidText(valid, 'bid.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.bid.params.warranty?.components[0]?.period).toEqual({
      kind: 'amount',
      amount: 12,
      unit: 'month',
      text: '12个月',
    });
    expect(r.bid.params.afterWarranty?.lifetimeSupport).toBeUndefined();
    expect(documentsOf(r.bid.params)).toEqual([
      'commitment-letter',
      'service-plan',
      'training-plan',
      'deviation-table',
    ]);
    // The minimal bid: nothing but the required facts, and no promise filled in by a default.
    const min = loadBidText(readFileSync(exampleFile('minimal'), 'utf8'), 'minimal.yaml');
    expect(min.ok).toBe(true);
    if (!min.ok) return;
    const p = min.bid.params;
    for (const k of [...COMMITMENT_SECTIONS, 'documents'] as const) expect(p[k], k).toBeUndefined();
    expect(documentsOf(p)).toEqual(['commitment-letter', 'service-plan']);
  });

  it('reports every problem at once, each with file:line:col, path and label', () => {
    const bad = valid
      .replace('period: 12个月', 'period: 十二')
      .replace('  fullTime: true', '  fulltime: true')
      .replace('  committedCount: 4', '  committedCount: -5')
      .replace('method: classroom', 'method: clasroom');
    const d = problems(bad);
    const lines = d.map(formatDiagnostic);
    expect(d.map((x) => x.name)).toEqual([
      'InvalidValue',
      'OutOfRange',
      'UnknownField',
      'InvalidValue',
    ]);
    expect(lines[0]).toMatch(
      /^bid\.yaml:19:29 warranty\.components\[0\]\.period（质保期）：无法识别的时长“十二”/,
    );
    expect(lines[2]).toMatch(
      /^bid\.yaml:24:3 staff\.fulltime：未知字段“fulltime”，是否应为“fullTime”/,
    );
    expect(lines[1]).toMatch(
      /^bid\.yaml:23:19 staff\.committedCount（承诺服务人员数）：不能小于 1/,
    );
    expect(lines[3]).toContain('是否应为');
    expect(lines.every((l) => !/at .*\.js:\d+/.test(l))).toBe(true);
  });

  it('points a missing field at its parent key', () => {
    const d = problems(valid.replace('  signer: 陈立新\n', ''));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      name: 'MissingField',
      path: 'signature.signer',
      location: { line: 142, col: 1 },
    });
  });

  it('refuses duplicate keys, broken syntax, several documents, tags and directives', () => {
    expect(problems('tenderee:\n  name: a\n  name: b\n')[0]).toMatchObject({
      name: 'YamlDuplicateKey',
      location: { line: 3 },
    });
    expect(problems('tenderee: {name: [\n')[0]!.name).toBe('YamlSyntax');
    expect(problems('a: 1\n---\nb: 2\n')[0]!.name).toBe('YamlUnsupported');
    expect(
      problems('tenderee: !!binary aGVsbG8=\n').some((x) => x.name === 'YamlUnsupported'),
    ).toBe(true);
    expect(problems('%YAML 1.1\n---\na: yes\n').some((x) => x.name === 'YamlUnsupported')).toBe(
      true,
    );
  });

  it('stops an alias bomb quickly with a clear message', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
          .fill(`*${'abcdefghi'[i - 1]}`)
          .join(',')}]`,
      );
    const t = Date.now();
    const d = problems(bomb.join('\n'));
    expect(Date.now() - t).toBeLessThan(2000);
    expect(d[0]!.name).toBe('YamlAliasLimit');
  });

  it('refuses control characters, lone surrogates and non-UTF-8 bytes in values', () => {
    const ctl = problems(valid.replace('name: 江宁市第一人民医院\n', 'name: "江宁\\u0007医院"\n'));
    expect(ctl[0]).toMatchObject({ name: 'InvalidText', path: 'tenderee.name' });
    expect(ctl[0]!.message).toContain('U+0007');
    const sur = problems(valid.replace('name: 江宁市第一人民医院\n', 'name: "江宁\\uD800医院"\n'));
    expect(sur[0]).toMatchObject({ name: 'InvalidText', path: 'tenderee.name' });
    expect(problems(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))[0]!.name).toBe('NotUtf8');
  });

  it('refuses NaN, infinities, full-width digits and impossible dates', () => {
    expect(problems(valid.replace('committedCount: 4', 'committedCount: .nan'))[0]!.path).toBe(
      'staff.committedCount',
    );
    expect(
      problems(valid.replace('committedCount: 4', 'committedCount: .inf'))[0]!.message,
    ).toContain('有限数字');
    expect(problems(valid.replace('committedCount: 4', 'committedCount: １２'))[0]!.name).toBe(
      'InvalidType',
    );
    expect(problems(valid.replace('date: 2026-11-22', 'date: 2026-02-30'))[0]).toMatchObject({
      path: 'signature.date',
      name: 'InvalidValue',
    });
  });

  it('refuses __proto__ and constructor keys as unknown fields without polluting objects', () => {
    const d = problems(
      valid.replace('tenderee:\n', 'tenderee:\n  __proto__: { polluted: 1 }\n  constructor: 1\n'),
    );
    expect(d.map((x) => x.path)).toEqual(['tenderee.__proto__', 'tenderee.constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks references between training modules, audiences and the schedule', () => {
    const d = problems(
      valid.replace(
        'audiences: [admin]\n      hours: 6\n      method: classroom',
        'audiences: [admins]\n      hours: 6\n      method: classroom',
      ),
    );
    expect(d[0]).toMatchObject({
      name: 'RuleViolation',
      rule: 'module-audience-declared',
      path: 'training.modules[1].audiences[0]',
    });
    expect(d[0]!.message).toContain('admin');
  });

  it('keeps money as integer fen', () => {
    const r = loadBidText(
      valid.replace('afterWarranty:\n', 'afterWarranty:\n  annualFeeCap: "12,345.6"\n'),
      'bid.yaml',
    );
    expect(r.ok && r.bid.params.afterWarranty?.annualFeeCap).toBe(1_234_560);
    expect(
      problems(valid.replace('afterWarranty:\n', 'afterWarranty:\n  annualFeeCap: -1\n'))[0]!.path,
    ).toBe('afterWarranty.annualFeeCap');
    expect(
      problems(valid.replace('afterWarranty:\n', 'afterWarranty:\n  annualFeeCap: 1.234\n'))[0]!
        .path,
    ).toBe('afterWarranty.annualFeeCap');
  });

  it('reads durations as written and says what to write when it cannot', () => {
    const at = (v: string) =>
      problems(valid.replace('within: 30分钟, from: report', `within: ${v}, from: report`))[0]!;
    expect(at('2 hours').message).toContain('中文单位');
    expect(at('-1小时').message).toContain('不能为负数');
    expect(at('2小時').message).toContain('繁体字');
    expect(at('30').message).toContain('缺少单位');
    expect(at('0分钟').message).toContain('大于 0');
    expect(at('终身').message).toContain('这里不能写“终身”');
    expect(at('2 hours')).toMatchObject({
      path: 'responseTiers[0].milestones[0].within',
      location: { line: 53 },
    });
    const ok = loadBidText(
      valid.replace('within: 30分钟, from: report', 'within: 半小时, from: report'),
      'bid.yaml',
    );
    expect(ok.ok && ok.bid.params.responseTiers![0]!.milestones![0]!.within).toMatchObject({
      kind: 'amount',
      amount: 0.5,
      unit: 'hour',
      text: '半小时',
    });
  });
});
