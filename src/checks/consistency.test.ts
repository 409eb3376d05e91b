import { describe, expect, it } from 'vitest';
import { renderAll } from '../build.js';
import type { Document, Inline } from '../ir/types.js';
import { loadExample } from '../../test/helpers.js';
import { crossDocumentMismatches, hardCodedValues } from './consistency.js';

const doc = (title: string, inlines: Inline[]): Document => ({
  type: 'document',
  meta: { id: title, title, date: '2026-11-22', author: 'a', subject: 's', draft: false },
  children: [
    {
      type: 'clause',
      id: 'c',
      version: 1,
      children: [{ type: 'paragraph', align: 'left', indent: true, children: inlines }],
    },
  ],
});
const v = (path: string | null, raw: number, value: string, local = false): Inline => ({
  type: 'var',
  path,
  local,
  expr: path ?? 'x | sum',
  raw,
  value,
});

describe('cross-document consistency', () => {
  it('finds nothing in the shipped examples', () => {
    for (const name of ['hospital-his', 'highway-monitoring', 'dev-project-60m']) {
      expect(crossDocumentMismatches(renderAll(loadExample(name)))).toEqual([]);
    }
  });

  it('accepts one field written two ways, and flags a field whose value differs', () => {
    const a = doc('承诺书', [v('warranty.softwareMonths', 12, '壹年')]);
    expect(
      crossDocumentMismatches([a, doc('方案', [v('warranty.softwareMonths', 12, '12个月')])]),
    ).toEqual([]);
    const d = crossDocumentMismatches([
      a,
      doc('方案', [v('warranty.softwareMonths', 24, '24个月')]),
    ]);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ name: 'InconsistentValue', path: 'warranty.softwareMonths' });
    expect(d[0]!.message).toContain('《承诺书》中为“壹年”，在《方案》中为“24个月”');
  });

  it('compares a computed total across documents but not a row number inside a loop', () => {
    expect(
      crossDocumentMismatches([doc('甲', [v(null, 0, '24')]), doc('乙', [v(null, 0, '30')])]),
    ).toHaveLength(1);
    expect(
      crossDocumentMismatches([
        doc('甲', [v(null, 0, '1', true)]),
        doc('乙', [v(null, 0, '2', true)]),
      ]),
    ).toEqual([]);
  });
});

describe('hard-coded values', () => {
  const bid = loadExample('hospital-his');
  it('warns when a clause writes a number the bid sets, naming the clause and field', () => {
    const d = hardCodedValues(
      [doc('承诺书', [{ type: 'text', value: '质保期为12个月，响应时间30分钟。' }])],
      bid,
    );
    expect(d.map((x) => x.message)).toEqual([
      '条款 c 直接写了“12个月”，而投标参数 warranty.components[0].period 也设定了这个数值',
      '条款 c 直接写了“30分钟”，而投标参数 service.channels[0].answerWithin 也设定了这个数值',
    ]);
    expect(d.every((x) => x.severity === 'warning')).toBe(true);
  });

  it('leaves fixed phrases and numbers the bid does not set alone', () => {
    expect(
      hardCodedValues(
        [doc('承诺书', [{ type: 'text', value: '提供7×24小时服务，培训13小时。' }])],
        bid,
      ),
    ).toEqual([]);
  });
});
