// The tender requirements file (tender.yaml): what the tender demands, as data the bid is checked against.
import { z } from 'zod';
import { text } from './fields.js';

/**
 * Comparators. As Chinese legal usage reads them (民法典第一千二百五十九条): 以上、以下、以内、不少于、
 * 不超过 include the number itself (`>=`, `<=`); 超过、不满、小于、多于 do not (`>`, `<`).
 */
export const OPERATORS = {
  '>=': '不少于',
  '<=': '不超过',
  '>': '多于',
  '<': '小于',
  '==': '等于',
  includes: '包含',
} as const;

export const conditionSchema = z
  .strictObject({
    field: z
      .string()
      .regex(/^[a-zA-Z]+(?:\.[a-zA-Z]+|\[(?:\d+|\*|[a-zA-Z]+=[a-zA-Z0-9-]+)\])*$/, {
        message:
          '字段路径写法如 warranty.components[0].period、responseTiers[0].milestones[kind=onsite] 或 training.modules[*].hours',
      })
      .meta({
        label: '投标参数字段',
        help: '用 [*] 表示列表中的每一项（此时须写 aggregate），用 [kind=onsite] 按字段值选取列表中的一项',
      }),
    aggregate: z.enum(['sum', 'min', 'max', 'count']).optional().meta({ label: '汇总方式' }),
    op: z
      .enum(Object.keys(OPERATORS) as [keyof typeof OPERATORS, ...(keyof typeof OPERATORS)[]])
      .meta({ label: '比较方式' }),
    value: z.union([z.number(), z.string(), z.boolean()]).meta({
      label: '要求的值',
      help: '时长写“2小时”“3年”，百分比写“95%”，频次写“每季度”，人数、课时写数字',
    }),
    unit: z
      .string()
      .max(10)
      .optional()
      .meta({ label: '单位', help: '显示用，例如“个月”“分钟”“人”' }),
  })
  .meta({ label: '判定条件' });

export const requirementSchema = z
  .strictObject({
    item: text({ label: '条目号', help: '招标文件中的条款编号，例如“3.2.1”' }, 30),
    text: text({ label: '招标要求', help: '招标文件原文', multiline: true }, 400),
    star: z.boolean().default(false).meta({ label: '★ 实质性条款' }),
    condition: conditionSchema,
  })
  .meta({ label: '招标要求' });

export const tenderSchema = z
  .strictObject({
    title: text({ label: '招标文件名称' }).optional(),
    requirements: z.array(requirementSchema).min(1).max(300).meta({ label: '招标要求' }),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.requirements.forEach((r, i) => {
      if (seen.has(r.item))
        ctx.addIssue({
          code: 'custom',
          path: ['requirements', i, 'item'],
          message: `条目号“${r.item}”重复`,
        });
      seen.add(r.item);
      const wild = r.condition.field.includes('[*]');
      if (wild && !r.condition.aggregate && r.condition.op !== 'includes') {
        ctx.addIssue({
          code: 'custom',
          path: ['requirements', i, 'condition', 'aggregate'],
          message: '字段路径含 [*] 时必须写 aggregate（sum、min、max 或 count）',
        });
      }
      if (!wild && r.condition.aggregate) {
        ctx.addIssue({
          code: 'custom',
          path: ['requirements', i, 'condition', 'aggregate'],
          message: '只有含 [*] 的字段路径才能汇总',
        });
      }
    });
  })
  .meta({ label: '招标要求文件' });

export type TenderFile = z.output<typeof tenderSchema>;
export type Requirement = TenderFile['requirements'][number];
export type Condition = Requirement['condition'];
