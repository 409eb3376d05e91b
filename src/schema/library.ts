// Schemas of the trusted files: clauses (versioned, legal-approved) and document templates.
import { z } from 'zod';
import { date } from './fields.js';
import { FIGURE_IDS, type FigureId } from '../ir/figures.js';

const clauseId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,60}$/, { message: '条款编号只能由小写字母、数字和连字符组成' });

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: '应为 64 位小写十六进制的 SHA-256 值' });

export const clauseVersionSchema = z.strictObject({
  version: z.number().int().min(1),
  status: z.enum(['draft', 'approved', 'retired']),
  author: z.string().min(1).optional(),
  /** The version this one was written from (redlines compare against it). */
  basedOn: z.number().int().min(1).optional(),
  /** Imported from the built-in library by `clauses upgrade`: the built-in version number. */
  upstream: z.strictObject({ version: z.number().int().min(1) }).optional(),
  approvedBy: z.string().min(1).optional(),
  approvedOn: date({ label: '批准日期' }).optional(),
  /** SHA-256 (hex) of the body's exact UTF-8 text when it was approved: the seal. */
  bodySha256: sha256Hex.optional(),
  approvalNote: z.string().min(1).optional(),
  retiredOn: date({ label: '停用日期' }).optional(),
  retiredReason: z.string().min(1).optional(),
  note: z.string().min(1).optional(),
  reviewBy: date({ label: '复审日期' }).optional(),
  body: z.string().min(1),
});

export const clauseFileSchema = z
  .strictObject({
    id: clauseId,
    title: z.string().min(1).max(40),
    /**
     * The title as it was when a version now in use was approved (recorded by `clauses approve`):
     * the title is printed as the clause's heading, so changing it needs an approval too.
     */
    approvedTitle: z.string().min(1).max(40).optional(),
    description: z.string().optional(),
    versions: z.array(clauseVersionSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<number>();
    const numbers = new Set(c.versions.map((v) => v.version));
    c.versions.forEach((v, i) => {
      const issue = (key: string | undefined, message: string) =>
        ctx.addIssue({
          code: 'custom',
          path: key ? ['versions', i, key] : ['versions', i],
          message,
        });
      if (seen.has(v.version)) issue('version', `版本号 ${v.version} 重复`);
      seen.add(v.version);
      if (v.status === 'approved' && !(v.approvedBy && v.approvedOn)) {
        issue(undefined, '已批准的版本必须写明 approvedBy 和 approvedOn');
      }
      if (v.status === 'draft') {
        for (const k of ['approvedBy', 'approvedOn', 'bodySha256', 'approvalNote'] as const)
          if (v[k] !== undefined)
            issue(k, `草稿不应有批准记录（${k}）：批准请用 tenderkit clauses approve`);
      }
      if (v.status !== 'retired') {
        for (const k of ['retiredOn', 'retiredReason'] as const)
          if (v[k] !== undefined) issue(k, `只有已停用的版本才有 ${k}`);
      }
      if (v.basedOn !== undefined && (v.basedOn >= v.version || !numbers.has(v.basedOn)))
        issue('basedOn', `basedOn 应为本条款中更早的一个版本号，收到 ${v.basedOn}`);
    });
  });

export type ClauseFile = z.infer<typeof clauseFileSchema>;
export type ClauseVersion = z.infer<typeof clauseVersionSchema>;

/** One item of a document template; `when` is a trusted nunjucks condition over the bid. */
export type TemplateItem =
  | { title: string; when?: string }
  | { paragraph: string; align?: 'left' | 'center' | 'right'; indent?: boolean; when?: string }
  | { clause: string; heading?: boolean | string; when?: string }
  | { section: string; when?: string; items: TemplateItem[] }
  | { signature: { label: string; value?: string }[]; when?: string }
  | { figure: FigureId; caption: string; when?: string }
  | { toc: string; depth?: 1 | 2 | 3 | 4; when?: string }
  | { pageBreak: true; when?: string }
  | { extraCommitments: string; when?: string };

const when = z.string().min(1).optional();

export const templateItemSchema: z.ZodType<TemplateItem> = z.lazy(() =>
  z.union([
    z.strictObject({ title: z.string().min(1), when }),
    z.strictObject({
      paragraph: z.string().min(1),
      align: z.enum(['left', 'center', 'right']).optional(),
      indent: z.boolean().optional(),
      when,
    }),
    z.strictObject({
      clause: clauseId,
      heading: z.union([z.boolean(), z.string().min(1)]).optional(),
      when,
    }),
    z.strictObject({ figure: z.enum(FIGURE_IDS), caption: z.string().min(1), when }),
    z.strictObject({
      toc: z.string().min(1),
      depth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
      when,
    }),
    z.strictObject({ pageBreak: z.literal(true), when }),
    z.strictObject({ extraCommitments: z.string().min(1), when }),
    z.strictObject({ section: z.string().min(1), when, items: z.array(templateItemSchema).min(1) }),
    z.strictObject({
      signature: z
        .array(z.strictObject({ label: z.string().min(1), value: z.string().optional() }))
        .min(1),
      when,
    }),
  ]),
);

export const templateFileSchema = z.strictObject({
  id: z.enum(['commitment-letter', 'training-plan', 'service-plan', 'deviation-table']),
  title: z.string().min(1),
  description: z.string().optional(),
  items: z.array(templateItemSchema).min(1),
});

export type TemplateFile = z.infer<typeof templateFileSchema>;
