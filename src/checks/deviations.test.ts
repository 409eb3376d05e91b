import { describe, expect, it } from 'vitest';
import type { Condition } from '../schema/tender.js';
import { conditionProblem } from './deviations.js';

const c = (field: string, value: Condition['value'], op: Condition['op'] = '<='): Condition => ({
  field,
  op,
  value,
});

describe('a condition the tender file states badly is its own problem', () => {
  it('names a value that cannot be read in the field kind, at the value', () => {
    expect(
      conditionProblem(c('responseTiers[0].milestones[kind=respond]', '4 hours')),
    ).toMatchObject({ at: 'value', message: expect.stringContaining('中文单位') });
    expect(conditionProblem(c('service.availability[0].percent', '120%', '>='))).toMatchObject({
      at: 'value',
      message: expect.stringContaining('不超过 100'),
    });
    expect(conditionProblem(c('staff.committedCount', '5小时', '>='))).toMatchObject({
      at: 'value',
      message: expect.stringContaining('应写数字'),
    });
  });

  it('names a selector that selects nothing any bid could write, at the field', () => {
    expect(conditionProblem(c('responseTiers[0].milestones[kind=onsight]', '4小时'))).toMatchObject(
      {
        at: 'field',
        message: expect.stringContaining('onsite'),
      },
    );
  });

  it('accepts well-formed conditions', () => {
    expect(
      conditionProblem(c('responseTiers[0].milestones[kind=onsite]', '4小时')),
    ).toBeUndefined();
    expect(conditionProblem(c('warranty.components[0].period', '1年', '>='))).toBeUndefined();
    expect(conditionProblem(c('service.inspections', '每季度', '>='))).toBeUndefined();
    expect(conditionProblem(c('staff.committedCount', 3, '>='))).toBeUndefined();
    expect(
      conditionProblem({
        field: 'training.modules[*].hours',
        aggregate: 'sum',
        op: '>=',
        value: 20,
      }),
    ).toBeUndefined();
  });
});
