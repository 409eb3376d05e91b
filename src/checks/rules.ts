// The rule catalogue: cross-field checks that run after the schema, in `lint` and before every build.
import { diagnostic, type Diagnostic, type Severity } from '../diagnostics/diagnostic.js';
import type { FieldPath, LoadedYaml } from '../load/yaml-file.js';
import { formatPath, labelAt } from '../load/zod-issues.js';
import { bidSchema, type BidParams } from '../schema/bid.js';

export interface Finding {
  readonly path: FieldPath;
  readonly message: string;
}

export interface Rule {
  /** Stable id, printed with every finding and usable in CI filters. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** What to do about a finding. */
  readonly hint: string;
  check(bid: BidParams): Finding[];
}

const tierPath = (i: number, f: string): FieldPath => ['responseTiers', i, f];

export const RULES: readonly Rule[] = [
  {
    id: 'training-required',
    severity: 'error',
    title: '生成培训方案须填写培训信息',
    hint: '请填写 training，或从 documents 中去掉 training-plan。',
    check: (b) =>
      b.documents.includes('training-plan') && !b.training
        ? [{ path: ['training'], message: '要生成培训方案，但没有填写培训信息' }]
        : [],
  },
  {
    id: 'deviation-table-needs-tender',
    severity: 'error',
    title: '生成偏离表须有招标要求文件',
    hint: '请在 tender.file 中写明招标要求文件，或从 documents 中去掉 deviation-table。',
    check: (b) =>
      b.documents.includes('deviation-table') && !b.tender
        ? [{ path: ['documents'], message: '要生成偏离表，但没有招标要求文件（tender.file）' }]
        : [],
  },
  {
    id: 'unique-ids',
    severity: 'error',
    title: '编号不得重复',
    hint: '请为每个培训对象和培训模块使用不同的编号。',
    check: (b) => {
      const out: Finding[] = [];
      for (const list of ['audiences', 'modules'] as const) {
        const seen = new Set<string>();
        (b.training?.[list] ?? []).forEach((x, i) => {
          if (seen.has(x.id))
            out.push({ path: ['training', list, i, 'id'], message: `编号“${x.id}”重复` });
          seen.add(x.id);
        });
      }
      return out;
    },
  },
  {
    id: 'module-audience-declared',
    severity: 'error',
    title: '培训模块的对象必须已声明',
    hint: '请使用 training.audiences 中声明的编号，或先声明该培训对象。',
    check: (b) => {
      const known = new Set((b.training?.audiences ?? []).map((a) => a.id));
      return (b.training?.modules ?? []).flatMap((m, i) =>
        m.audiences.flatMap((a, j) =>
          known.has(a)
            ? []
            : [
                {
                  path: ['training', 'modules', i, 'audiences', j],
                  message: `培训对象“${a}”未声明（已声明：${[...known].join('、')}）`,
                },
              ],
        ),
      );
    },
  },
  {
    id: 'schedule-module-declared',
    severity: 'error',
    title: '培训日程引用的模块必须已声明',
    hint: '请使用 training.modules 中声明的编号。',
    check: (b) => {
      const known = new Set((b.training?.modules ?? []).map((m) => m.id));
      return (b.training?.schedule ?? []).flatMap((s, i) =>
        s.modules.flatMap((m, j) =>
          known.has(m)
            ? []
            : [
                {
                  path: ['training', 'schedule', i, 'modules', j],
                  message: `培训模块“${m}”未声明（已声明：${[...known].join('、')}）`,
                },
              ],
        ),
      );
    },
  },
  {
    id: 'tier-order',
    severity: 'error',
    title: '故障等级越严重，响应越快',
    hint: '故障等级按严重程度从高到低排列，后一等级的响应时间不得短于前一等级。',
    check: (b) =>
      b.responseTiers.flatMap((t, i) => {
        const prev = b.responseTiers[i - 1];
        if (!prev || t.responseMinutes >= prev.responseMinutes) return [];
        return [
          {
            path: tierPath(i, 'responseMinutes'),
            message: `“${t.name}”响应时间（${t.responseMinutes}分钟）比更严重的“${prev.name}”（${prev.responseMinutes}分钟）还快`,
          },
        ];
      }),
  },
  {
    id: 'tier-severity-strict',
    severity: 'warning',
    title: '不同故障等级的响应时间应有区分',
    hint: '相邻两级响应时间相同，分级就失去了意义；如确实相同，可合并为一级。',
    check: (b) =>
      b.responseTiers.flatMap((t, i) => {
        const prev = b.responseTiers[i - 1];
        if (!prev || t.responseMinutes !== prev.responseMinutes) return [];
        return [
          {
            path: tierPath(i, 'responseMinutes'),
            message: `“${t.name}”与“${prev.name}”的响应时间相同（${t.responseMinutes}分钟）`,
          },
        ];
      }),
  },
  {
    id: 'tier-times-ordered',
    severity: 'error',
    title: '同一等级内：响应 ≤ 到场 ≤ 解决',
    hint: '到场时间不应早于响应时间，解决时限不应早于到场时间。',
    check: (b) =>
      b.responseTiers.flatMap((t, i) => {
        const out: Finding[] = [];
        const respH = t.responseMinutes / 60;
        for (const f of ['onsiteHoursLocal', 'onsiteHoursRemote'] as const) {
          const v = t[f];
          if (v !== undefined && v < respH)
            out.push({
              path: tierPath(i, f),
              message: `到场时间（${v}小时）早于响应时间（${t.responseMinutes}分钟）`,
            });
          if (
            v !== undefined &&
            t.resolveHours !== undefined &&
            t.resolveHours < v &&
            f === 'onsiteHoursLocal'
          ) {
            out.push({
              path: tierPath(i, 'resolveHours'),
              message: `解决时限（${t.resolveHours}小时）早于本地到场时间（${v}小时）`,
            });
          }
        }
        if (t.resolveHours !== undefined && t.resolveHours < respH)
          out.push({
            path: tierPath(i, 'resolveHours'),
            message: `解决时限（${t.resolveHours}小时）早于响应时间（${t.responseMinutes}分钟）`,
          });
        if (
          t.onsiteHoursLocal !== undefined &&
          t.onsiteHoursRemote !== undefined &&
          t.onsiteHoursRemote < t.onsiteHoursLocal
        ) {
          out.push({
            path: tierPath(i, 'onsiteHoursRemote'),
            message: `外地到场时间（${t.onsiteHoursRemote}小时）短于本地到场时间（${t.onsiteHoursLocal}小时）`,
          });
        }
        return out;
      }),
  },
  {
    id: 'roster-covers-staff',
    severity: 'error',
    title: '人员名单不少于承诺人数',
    hint: '请补全人员配置名单，或核对承诺的服务人员数。',
    check: (b) =>
      b.staff.roster.length > 0 && b.staff.roster.length < b.staff.committedCount
        ? [
            {
              path: ['staff', 'roster'],
              message: `名单只有 ${b.staff.roster.length} 人，少于承诺的 ${b.staff.committedCount} 人`,
            },
          ]
        : [],
  },
  {
    id: 'training-hours-total',
    severity: 'error',
    title: '各模块课时之和等于总课时',
    hint: '请核对各培训模块的课时，或修改 training.totalHours。',
    check: (b) => {
      const t = b.training;
      if (!t || t.totalHours === undefined) return [];
      const sum = t.modules.reduce((a, m) => a + m.hours, 0);
      return sum === t.totalHours
        ? []
        : [
            {
              path: ['training', 'totalHours'],
              message: `总课时写的是 ${t.totalHours} 小时，各模块课时之和为 ${sum} 小时`,
            },
          ];
    },
  },
  {
    id: 'trainee-count',
    severity: 'warning',
    title: '受训人数与各类培训对象人数一致',
    hint: '请核对 training.traineeCount 与各培训对象的人数。',
    check: (b) => {
      const t = b.training;
      if (!t?.traineeCount || t.audiences.some((a) => a.count === undefined)) return [];
      const sum = t.audiences.reduce((a, x) => a + (x.count ?? 0), 0);
      return sum === t.traineeCount
        ? []
        : [
            {
              path: ['training', 'traineeCount'],
              message: `受训人数为 ${t.traineeCount} 人，各培训对象人数之和为 ${sum} 人`,
            },
          ];
    },
  },
  {
    id: 'money-fen',
    severity: 'error',
    title: '金额以整数“分”保存且不为负',
    hint: '请填写不小于 0、最多两位小数的金额（单位：元）。',
    check: (b) => {
      const amounts: [FieldPath, number | undefined][] = [
        [['outOfWarranty', 'annualFee'], b.outOfWarranty.annualFee],
        ...b.penalties.items.map((p, i): [FieldPath, number | undefined] => [
          ['penalties', 'items', i, 'amount'],
          p.amount,
        ]),
      ];
      return amounts.flatMap(([path, v]) =>
        v === undefined || (Number.isSafeInteger(v) && v >= 0)
          ? []
          : [{ path, message: `金额 ${String(v)} 不是不小于 0 的整数分` }],
      );
    },
  },
  {
    id: 'warranty-consistent',
    severity: 'error',
    title: '软硬件质保期与整体质保期一致',
    hint: '软件、硬件质保期都不得短于整体质保期。',
    check: (b) => {
      const w = b.warranty;
      if (w.overallMonths === undefined) return [];
      const out: Finding[] = [];
      if (w.softwareMonths < w.overallMonths)
        out.push({
          path: ['warranty', 'softwareMonths'],
          message: `软件质保期 ${w.softwareMonths} 个月，短于整体质保期 ${w.overallMonths} 个月`,
        });
      if (w.hardwareMonths !== undefined && w.hardwareMonths < w.overallMonths) {
        out.push({
          path: ['warranty', 'hardwareMonths'],
          message: `硬件质保期 ${w.hardwareMonths} 个月，短于整体质保期 ${w.overallMonths} 个月`,
        });
      }
      return out;
    },
  },
  {
    id: 'signing-date',
    severity: 'error',
    title: '落款日期不早于招标公告发布日期',
    hint: '请核对落款日期和招标公告发布日期。',
    check: (b) =>
      b.project.publishedOn && b.signature.date < b.project.publishedOn
        ? [
            {
              path: ['signature', 'date'],
              message: `落款日期 ${b.signature.date} 早于招标公告发布日期 ${b.project.publishedOn}`,
            },
          ]
        : [],
  },
];

/** Runs every rule; findings become located diagnostics carrying the rule id. */
export function runRules(
  bid: BidParams,
  src: LoadedYaml,
  rules: readonly Rule[] = RULES,
): Diagnostic[] {
  return rules.flatMap((r) =>
    r.check(bid).map((f) =>
      diagnostic('RuleViolation', f.message, {
        severity: r.severity,
        location: src.locate(f.path),
        path: formatPath(f.path),
        label: labelAt(bidSchema, f.path),
        rule: r.id,
        hint: r.hint,
      }),
    ),
  );
}
