// The rule catalogue: cross-field checks that run after the schema, in `lint` and before every build.
import { diagnostic, type Diagnostic, type Severity } from '../diagnostics/diagnostic.js';
import type { FieldPath, LoadedYaml } from '../load/yaml-file.js';
import { formatPath, labelAt } from '../load/zod-issues.js';
import { bidSchema, COMMITMENT_SECTIONS, type BidParams, type Milestone } from '../schema/bid.js';
import { compareDurations, type Duration, type ServiceHours } from '../schema/duration.js';
import { channelLabels, milestoneLabels } from '../schema/labels.js';
import {
  consultationPhrase,
  CONSULTATION_WORDS,
  sameAnchor,
  squashText,
  textTimes,
  timeWindows,
  weekEnd,
  weekSlot,
} from './free-text.js';

export interface Finding {
  readonly path: FieldPath;
  readonly message: string;
  /** What to do about this finding, when it differs from the rule's hint. */
  readonly hint?: string;
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

type Tier = NonNullable<BidParams['responseTiers']>[number];

/** Milestones about getting to the fault: a more severe tier must never be slower here. */
const ARRIVAL_KINDS = new Set<Milestone['kind']>(['respond', 'remote', 'onsite']);

function pairsOfTiers(b: BidParams): { prev: Tier; cur: Tier; i: number }[] {
  const tiers = b.responseTiers ?? [];
  return tiers.slice(1).map((cur, k) => ({ prev: tiers[k]!, cur, i: k + 1 }));
}

/** Milestones of the same kind (and label) in two tiers: the first of each in `a`, matched in `b`. */
function sharedMilestones(a: Tier, b: Tier): { a: Milestone; b: Milestone; j: number }[] {
  const key = (m: Milestone) => `${m.kind}|${m.label ?? ''}`;
  const first = new Map<string, Milestone>();
  for (const m of a.milestones ?? []) if (!first.has(key(m))) first.set(key(m), m);
  const out: { a: Milestone; b: Milestone; j: number }[] = [];
  const seen = new Set<string>();
  (b.milestones ?? []).forEach((m, j) => {
    const hit = first.get(key(m));
    if (hit && !seen.has(key(m)) && (hit.from ?? 'report') === (m.from ?? 'report')) {
      seen.add(key(m));
      out.push({ a: hit, b: m, j });
    }
  });
  return out;
}

export function milestoneName(m: Milestone): string {
  return m.label ?? milestoneLabels[m.kind];
}

function limitText(m: Milestone): string {
  if (m.cases) return m.cases.map((c) => `${c.when}${c.within.text}`).join('、');
  return m.within?.text ?? '未写时限';
}

/** Every limit a milestone states: its own, each case's, both parts of a split limit. */
function milestoneLimits(m: Milestone): Duration[] {
  const all = m.cases ? m.cases.map((c) => c.within) : m.within ? [m.within] : [];
  return all.flatMap((d) => (d.kind === 'split' ? [d.workday, d.holiday] : [d]));
}

function hasLimit(m: Milestone): boolean {
  return Boolean(m.within || m.cases);
}

function isNegotiable(m: Milestone): boolean {
  return (
    m.within?.kind === 'negotiable' || (m.cases ?? []).some((c) => c.within.kind === 'negotiable')
  );
}

/**
 * The order of two milestones' limits where it is certain: cases with the same `when` are compared
 * pairwise; otherwise every limit of one against every limit of the other must agree.
 */
export function compareMilestones(a: Milestone, b: Milestone): -1 | 0 | 1 | null {
  const limits = (m: Milestone) =>
    m.cases
      ? m.cases.map((c) => [c.when, c.within] as const)
      : m.within
        ? [['', m.within] as const]
        : [];
  const la = limits(a);
  const lb = limits(b);
  if (!la.length && !lb.length) return 0;
  if (!la.length || !lb.length) return null;
  const results: (-1 | 0 | 1 | null)[] = [];
  const whensA = new Map(la);
  const matched = lb.every(([w]) => w && whensA.has(w)) && la.length === lb.length;
  if (matched) for (const [w, d] of lb) results.push(compareDurations(whensA.get(w)!, d));
  else for (const [, x] of la) for (const [, y] of lb) results.push(compareDurations(x, y));
  if (results.some((r) => r === null)) return null;
  if (results.every((r) => r === 0)) return 0;
  if (results.every((r) => r === -1 || r === 0)) return -1;
  if (results.every((r) => r === 1 || r === 0)) return 1;
  return null;
}

export const RULES: readonly Rule[] = [
  {
    id: 'training-required',
    severity: 'error',
    title: '生成培训方案须填写培训信息',
    hint: '请填写 training，或从 documents 中去掉 training-plan。',
    check: (b) =>
      b.documents?.includes('training-plan') && !b.training
        ? [{ path: ['training'], message: '要生成培训方案，但没有填写培训信息' }]
        : [],
  },
  {
    id: 'deviation-table-needs-tender',
    severity: 'error',
    title: '生成偏离表须有招标要求文件',
    hint: '请在 tender.file 中写明招标要求文件，或从 documents 中去掉 deviation-table。',
    check: (b) =>
      b.documents?.includes('deviation-table') && !b.tender
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
        (m.audiences ?? []).flatMap((a, j) =>
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
    title: '故障等级越严重，响应和到场越快',
    hint: '故障等级按严重程度从高到低排列；响应、远程诊断和到场时限，后一等级不得短于前一等级。',
    check: (b) =>
      pairsOfTiers(b).flatMap(({ prev, cur, i }) =>
        sharedMilestones(prev, cur).flatMap(({ a, b: m, j }) =>
          ARRIVAL_KINDS.has(m.kind) && compareMilestones(a, m) === 1
            ? [
                {
                  path: ['responseTiers', i, 'milestones', j],
                  message: `“${cur.name}”的“${milestoneName(m)}”时限（${limitText(m)}）比更严重的“${prev.name}”（${limitText(a)}）还短`,
                },
              ]
            : [],
        ),
      ),
  },
  {
    id: 'tier-resolution-order',
    severity: 'warning',
    title: '较轻的故障解决得更快',
    hint: '方案、恢复、排除等环节，较轻等级的时限比更严重的等级还长是常见的（重大问题更难解决）；请确认这是有意的。',
    check: (b) =>
      pairsOfTiers(b).flatMap(({ prev, cur, i }) =>
        sharedMilestones(prev, cur).flatMap(({ a, b: m, j }) =>
          !ARRIVAL_KINDS.has(m.kind) && compareMilestones(a, m) === 1
            ? [
                {
                  path: ['responseTiers', i, 'milestones', j],
                  message: `“${cur.name}”的“${milestoneName(m)}”时限（${limitText(m)}）比更严重的“${prev.name}”（${limitText(a)}）还短`,
                },
              ]
            : [],
        ),
      ),
  },
  {
    id: 'tier-order-uncertain',
    severity: 'warning',
    title: '无法确定先后的时限',
    hint: '两个时限的单位之间没有确定的换算（如“工作日”与“小时”、“月”与“日”），请人工核对，或改用可比较的单位。',
    check: (b) =>
      pairsOfTiers(b).flatMap(({ prev, cur, i }) =>
        sharedMilestones(prev, cur).flatMap(({ a, b: m, j }) =>
          ARRIVAL_KINDS.has(m.kind) &&
          compareMilestones(a, m) === null &&
          hasLimit(a) &&
          hasLimit(m) &&
          !isNegotiable(a) &&
          !isNegotiable(m)
            ? [
                {
                  path: ['responseTiers', i, 'milestones', j],
                  message: `无法确定“${cur.name}”的“${milestoneName(m)}”（${limitText(m)}）是否不短于“${prev.name}”（${limitText(a)}）`,
                },
              ]
            : [],
        ),
      ),
  },
  {
    id: 'tier-severity-strict',
    severity: 'warning',
    title: '不同故障等级的响应时间应有区分',
    hint: '相邻两级各环节时限完全相同，分级就失去了意义；如确实相同，可合并为一级。',
    check: (b) =>
      pairsOfTiers(b).flatMap(({ prev, cur, i }) => {
        const shared = sharedMilestones(prev, cur);
        return shared.length > 0 &&
          (prev.milestones?.length ?? 0) === shared.length &&
          (cur.milestones?.length ?? 0) === shared.length &&
          shared.every(({ a, b: m }) => compareMilestones(a, m) === 0)
          ? [
              {
                path: ['responseTiers', i, 'milestones'],
                message: `“${cur.name}”与“${prev.name}”的各环节时限完全相同`,
              },
            ]
          : [];
      }),
  },
  {
    id: 'tier-times-ordered',
    severity: 'error',
    title: '同一等级内：先发生的环节时限不长于后发生的环节',
    hint: '处理环节按发生顺序排列（响应 → 到场 → 方案 → 恢复 → 排除）；同一起算点的后一环节时限不应短于前一环节。',
    check: (b) =>
      (b.responseTiers ?? []).flatMap((t, i) => {
        const ms = t.milestones ?? [];
        const out: Finding[] = [];
        ms.forEach((m, j) => {
          for (let k = 0; k < j; k++) {
            const earlier = ms[k]!;
            if ((earlier.from ?? 'report') !== 'report' || (m.from ?? 'report') !== 'report')
              continue;
            if (compareMilestones(m, earlier) === -1) {
              out.push({
                path: ['responseTiers', i, 'milestones', j],
                message: `“${t.name}”的“${milestoneName(m)}”（${limitText(m)}）早于排在它前面的“${milestoneName(earlier)}”（${limitText(earlier)}）`,
              });
              break;
            }
          }
        });
        return out;
      }),
  },
  {
    id: 'roster-covers-staff',
    severity: 'error',
    title: '人员名单不少于承诺人数',
    hint: '请补全人员配置名单，或核对承诺的服务人员数。',
    check: (b) => {
      const s = b.staff;
      return s?.committedCount !== undefined &&
        s.roster.length > 0 &&
        s.roster.length < s.committedCount
        ? [
            {
              path: ['staff', 'roster'],
              message: `名单只有 ${s.roster.length} 人，少于承诺的 ${s.committedCount} 人`,
            },
          ]
        : [];
    },
  },
  {
    id: 'staff-counts',
    severity: 'error',
    title: '本地、驻场工程师人数不超过承诺人数',
    hint: '本地工程师和驻场工程师都是承诺服务人员的一部分；请核对人数，或写明承诺服务人员数。',
    check: (b) => {
      const s = b.staff;
      if (!s) return [];
      const out: Finding[] = [];
      for (const f of ['localEngineers', 'residentEngineers'] as const) {
        const v = s[f];
        if (v === undefined) continue;
        if (s.committedCount !== undefined && v > s.committedCount)
          out.push({
            path: ['staff', f],
            message: `${f === 'localEngineers' ? '本地工程师' : '驻场工程师'} ${v} 名，多于承诺的服务人员 ${s.committedCount} 名`,
          });
        else if (s.roster.length > 0 && s.committedCount === undefined && v > s.roster.length)
          out.push({
            path: ['staff', f],
            message: `${f === 'localEngineers' ? '本地工程师' : '驻场工程师'} ${v} 名，多于人员名单的 ${s.roster.length} 人`,
          });
      }
      return out;
    },
  },
  {
    id: 'training-hours-total',
    severity: 'error',
    title: '各模块课时之和等于总课时',
    hint: '请核对各培训模块的课时，或修改 training.totalHours。',
    check: (b) => {
      const t = b.training;
      if (!t || t.totalHours === undefined) return [];
      if (t.modules.some((m) => m.hours === undefined)) return [];
      const sum = t.modules.reduce((a, m) => a + (m.hours ?? 0), 0);
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
        [['afterWarranty', 'annualFeeCap'], b.afterWarranty?.annualFeeCap],
        ...(b.penalties?.items ?? []).map((p, i): [FieldPath, number | undefined] => [
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
    title: '各对象质保期不短于整体质保期',
    hint: '软件、硬件等各对象的质保期都不得短于整体质保期（warranty.overall）。',
    check: (b) => {
      const w = b.warranty;
      if (!w?.overall) return [];
      const overall = w.overall;
      return w.components.flatMap((c, i) =>
        compareDurations(c.period, overall) === -1
          ? [
              {
                path: ['warranty', 'components', i, 'period'],
                message: `“${c.name}”质保期${c.period.text}，短于整体质保期${overall.text}`,
              },
            ]
          : [],
      );
    },
  },
  {
    id: 'warranty-terms-within',
    severity: 'error',
    title: '包换期、包修期、免费上门服务期不长于质保期',
    hint: '包换、包修和免费上门服务都在质保期之内：请核对这些期限，或延长该对象的质保期。',
    check: (b) =>
      (b.warranty?.components ?? []).flatMap((c, i) =>
        (['replacement', 'repair', 'onsite'] as const).flatMap((k) => {
          const t = c[k];
          return t && compareDurations(t, c.period) === 1
            ? [
                {
                  path: ['warranty', 'components', i, k],
                  message: `“${c.name}”的${{ replacement: '包换期', repair: '包修期', onsite: '免费上门服务期' }[k]}${t.text}长于质保期${c.period.text}`,
                },
              ]
            : [];
        }),
      ),
  },
  {
    id: 'onsite-vs-free-travel',
    severity: 'warning',
    title: '免费上门服务期与质保期内免费的差旅一致',
    hint: '质保期内人员差旅费由我方承担，上门服务在免费上门服务期满后也仍不收费，这一期限便失去意义：请删去较短的免费上门服务期、把它延长到质保期，或从质保期内免费服务中去掉差旅费（warranty.freeServices 的 travel）。',
    check: (b) =>
      (b.warranty?.freeServices ?? []).includes('travel')
        ? (b.warranty?.components ?? []).flatMap((c, i) =>
            c.onsite && compareDurations(c.onsite, c.period) === -1
              ? [
                  {
                    path: ['warranty', 'components', i, 'onsite'],
                    message: `“${c.name}”的免费上门服务期${c.onsite.text}短于质保期${c.period.text}，但质保期内人员差旅费由我方承担：期满后上门是否收费，两处说法矛盾`,
                  },
                ]
              : [],
          )
        : [],
  },
  {
    id: 'single-warranty-start',
    severity: 'warning',
    title: '质保期起算日',
    hint: '写了包换期、包修期或免费上门服务期的对象，最好写明起算日（warranty.start 或该对象的 start）。',
    check: (b) =>
      (b.warranty?.components ?? []).flatMap((c, i) =>
        (c.replacement || c.repair || c.onsite) && !c.start && !b.warranty?.start
          ? [{ path: ['warranty', 'components', i], message: `“${c.name}”没有写质保期起算日` }]
          : [],
      ),
  },
  {
    id: 'after-warranty-needs-warranty',
    severity: 'warning',
    title: '写了质保期外服务，也应写明质保期',
    hint: '质保期外服务的表述（“质保期满后……”）以质保期为前提：请填写 warranty，或确认不写质保期。',
    check: (b) =>
      b.afterWarranty && !b.warranty
        ? [{ path: ['afterWarranty'], message: '写了质保期外服务，但没有写质保期' }]
        : [],
  },
  {
    id: 'loaner-free-needs-loaner',
    severity: 'error',
    title: '备用设备免费提供以提供备用设备为前提',
    hint: '请同时选择“维修期间提供备用设备”（spares.loaner），或删去“备用设备免费提供”（spares.loanerFree）。',
    check: (b) =>
      b.spares?.loanerFree && !b.spares.loaner
        ? [
            {
              path: ['spares', 'loanerFree'],
              message: '写了备用设备免费提供，但没有承诺维修期间提供备用设备',
            },
          ]
        : [],
  },
  {
    id: 'round-the-clock-first-step',
    severity: 'warning',
    title: '7×24小时服务的逐级处理应从全天提供的渠道开始',
    hint: '其余时间报修时由谁受理、从哪一步开始，文件没有说：请把全天提供的渠道（如服务热线）排在升级顺序的第一步，或删去该渠道的服务时间限制，或把售后服务时间改为与之相符。',
    check: (b) => {
      const s = b.service;
      const first = s?.escalation?.[0];
      if (!s?.hours || !first || !roundTheClock(s.hours)) return [];
      const channel = s.channels?.find((c) => c.kind === first);
      return channel?.hours && !roundTheClock(channel.hours)
        ? [
            {
              path: ['service', 'escalation', 0],
              message: `售后服务时间为${s.hours.text}，但逐级处理的第一步“${channelLabels[first]}”只在${channel.hours.text}提供`,
            },
          ]
        : [];
    },
  },
  {
    id: 'training-schedule-within-timing',
    severity: 'warning',
    title: '培训日程在承诺的培训时间之内',
    hint: '培训时间（training.timing）承诺了期限，培训日程中这一行却可能落在期限之外：请把培训时间改为覆盖全部日程（例如“前 3 周内”），或调整培训日程。',
    check: (b) => {
      const t = b.training;
      if (!t?.timing) return [];
      const windows = timeWindows(t.timing);
      return t.schedule.flatMap((row, i) => {
        const slot = weekSlot(row.phase);
        if (!slot) return [];
        const same = windows.filter(
          (w) => w.side === slot.side && sameAnchor(w.anchor, slot.anchor),
        );
        if (!same.length) return [];
        const end = weekEnd(slot.week);
        // Only where it is certain: the week ends later than every window it could belong to.
        if (!same.every((w) => compareDurations(end, w.length) === 1)) return [];
        return [
          {
            path: ['training', 'schedule', i, 'phase'],
            message: `培训日程“${row.phase}”（第${slot.week}周延续到第${slot.week * 7}日）超出培训时间“${t.timing}”承诺的“${same.map((w) => w.text).join('”“')}”`,
          },
        ];
      });
    },
  },
  {
    id: 'emergency-times-match-tiers',
    severity: 'warning',
    title: '应急措施中的到场、响应时间与故障响应等级一致',
    hint: '应急措施是自由文本，其中的时间与故障响应等级的时限不一致时，招标人无法判断以哪个为准：请改用与相应等级相同的时限，或删去文本中的时间（如“按A类问题的到场时限到达”）。',
    check: (b) => {
      const tiers = (b.responseTiers ?? []).filter((t) => t.milestones);
      if (!tiers.length) return [];
      return (b.emergency?.risks ?? []).flatMap((r, i) => {
        const text = `${r.risk}${r.measures}`;
        // A measure that names a tier concerns that tier; otherwise any tier may be meant.
        const named = tiers.filter((t) => squashText(text).includes(squashText(t.name)));
        const concerned = named.length ? named : tiers;
        return textTimes(r.measures).flatMap((tt) => {
          const limits = concerned.flatMap((t) =>
            (t.milestones ?? [])
              .filter((m) => m.kind === tt.kind)
              .flatMap((m) => milestoneLimits(m).map((d) => ({ tier: t.name, m, d }))),
          );
          if (!limits.length) return [];
          const order = limits.map((l) => compareDurations(tt.within, l.d));
          if (order.some((o) => o === 0 || o === null)) return [];
          const what = tt.kind === 'onsite' ? '到场' : '响应';
          const listed = concerned
            .map((t) => {
              const ms = (t.milestones ?? []).filter((m) => m.kind === tt.kind);
              return ms.length ? `${t.name}${ms.map(limitText).join('、')}` : '';
            })
            .filter(Boolean)
            .join('；');
          const relation = order.every((o) => o === -1)
            ? '比故障响应等级承诺的还快'
            : order.every((o) => o === 1)
              ? '比故障响应等级承诺的还慢'
              : '与故障响应等级的任何一个时限都不相同';
          return [
            {
              path: ['emergency', 'risks', i, 'measures'],
              message: `应急措施“${r.risk}”写“${tt.text}”，${relation}（${what}时限：${listed}）`,
            },
          ];
        });
      });
    },
  },
  {
    id: 'consultation-closure-vs-tier',
    severity: 'warning',
    title: '咨询办结承诺与咨询类故障等级一致',
    hint: `咨询办结（service.consultationClosure）承诺了办结时限，而名称或定义涵盖咨询（写有${CONSULTATION_WORDS.join('、')}等）的故障等级却整体协商确定：请为该等级写明时限、从该等级的定义中去掉咨询类问题，或删去咨询办结承诺。`,
    check: (b) => {
      const c = b.service?.consultationClosure;
      if (!c) return [];
      return (b.responseTiers ?? []).flatMap((t, i) => {
        if (!t.negotiable) return [];
        // Quoted as the definition words it (包含“使用疑问解答”的“D类问题”), else by its name alone.
        const phrase = consultationPhrase(t.definition);
        if (!phrase && !consultationPhrase(t.name)) return [];
        const tier = phrase ? `包含“${phrase}”的“${t.name}”` : `“${t.name}”`;
        return [
          {
            path: ['responseTiers', i, 'negotiable'],
            message: `咨询办结承诺${c.percent}%的咨询${c.within.text}内办结，但${tier}整体协商确定时限`,
          },
        ];
      });
    },
  },
  {
    id: 'milestone-clock-start',
    severity: 'warning',
    title: '处理时限写明起算点',
    hint: '时限从何时起算（接到报修、到达现场、上一环节完成）不写，招标人无法核对是否按时：请为每个环节写 from。',
    check: (b) => {
      const lists: [FieldPath, string, readonly Milestone[]][] = [
        ...(b.responseTiers ?? []).map((t, i): [FieldPath, string, readonly Milestone[]] => [
          ['responseTiers', i, 'milestones'],
          `“${t.name}”`,
          t.milestones ?? [],
        ]),
        [['afterWarranty', 'milestones'], '质保期外响应', b.afterWarranty?.milestones ?? []],
      ];
      return lists.flatMap(([base, who, ms]) => {
        const open = ms.map((m, j) => ({ m, j })).filter(({ m }) => hasLimit(m) && !m.from);
        return open.length
          ? [
              {
                path: [...base, open[0]!.j],
                message: `${who}的${open.map(({ m }) => `“${milestoneName(m)}”`).join('、')}没有写起算点`,
              },
            ]
          : [];
      });
    },
  },
  {
    id: 'routine-service-period',
    severity: 'warning',
    title: '巡检、回访和定期报告写明提供的期间',
    hint: '只写频次，承诺书读起来就是无限期的承诺：请写明 service.routinePeriod（质保期内或合同期内）。',
    check: (b) => {
      const s = b.service;
      if (!s) return [];
      const stated = (
        [
          ['inspections', s.inspections, '巡检'],
          ['visitsLater', s.visitsLater, '此后回访'],
          ['reports', s.reports?.length ? s.reports : undefined, '定期报告'],
        ] as const
      ).filter(([, v]) => v !== undefined);
      if (s.routinePeriod)
        return stated.length || s.visitsFirstYear
          ? []
          : [
              {
                path: ['service', 'routinePeriod'],
                message: '写了巡检、回访和报告的期间，但没有写巡检、回访或定期报告',
                hint: '没有巡检、回访和定期报告时，请删去 service.routinePeriod；若有，请写明其频次。',
              },
            ];
      return stated.length
        ? [
            {
              path: ['service', stated[0]![0]],
              message: `${stated.map(([, , l]) => l).join('、')}只写了频次，没有写在什么期间内提供`,
            },
          ]
        : [];
    },
  },
  {
    id: 'first-year-visits-start',
    severity: 'warning',
    title: '第一年回访写明起算日',
    hint: '“首年内”从哪一天算起不写，招标人无法核对回访是否按时：请写明 service.visitsFrom（如项目终验合格之日、项目总体验收合格之日），与质保期起算一致为宜。',
    check: (b) => {
      const s = b.service;
      if (s?.visitsFrom && !s.visitsFirstYear)
        return [
          {
            path: ['service', 'visitsFrom'],
            message: '写了第一年回访起算，但没有写第一年回访频次',
            hint: '没有第一年回访时，请删去 service.visitsFrom；若有，请写明 service.visitsFirstYear。',
          },
        ];
      return s?.visitsFirstYear && !s.visitsFrom
        ? [
            {
              path: ['service', 'visitsFirstYear'],
              message: `承诺首年内回访（${s.visitsFirstYear.text}），但没有写首年从哪一天起算`,
            },
          ]
        : [];
    },
  },
  {
    id: 'phone-consultation-period',
    severity: 'warning',
    title: '质保期满后的免费电话咨询写明期限',
    hint: '“电话技术咨询继续免费”没有期限，读起来就是永久承诺：请写明 afterWarranty.freePhoneConsultationPeriod（如“3年”，确为永久时写“终身”）。',
    check: (b) =>
      b.afterWarranty?.freePhoneConsultation && !b.afterWarranty.freePhoneConsultationPeriod
        ? [
            {
              path: ['afterWarranty', 'freePhoneConsultation'],
              message: '承诺质保期满后继续免费电话咨询，但没有写期限',
            },
          ]
        : [],
  },
  {
    id: 'phone-consultation-period-needs-consultation',
    severity: 'error',
    title: '免费电话咨询期限以承诺免费电话咨询为前提',
    hint: '请同时选择“继续免费电话咨询”（afterWarranty.freePhoneConsultation），或删去免费电话咨询期限。',
    check: (b) =>
      b.afterWarranty?.freePhoneConsultationPeriod && !b.afterWarranty.freePhoneConsultation
        ? [
            {
              path: ['afterWarranty', 'freePhoneConsultationPeriod'],
              message: `写了免费电话咨询期限（${b.afterWarranty.freePhoneConsultationPeriod.text}），但没有承诺继续免费电话咨询`,
            },
          ]
        : [],
  },
  {
    id: 'pricing-needs-basis',
    severity: 'warning',
    title: '“优惠价格”“合理价格”须有可核实的依据',
    hint: '“优惠价格”“合理价格”没有比较的基准，招标人无法核实：请写明年度维护费上限（afterWarranty.annualFeeCap），或改用成本价、合同约定的价格等可核实的收费方式。',
    check: (b) => {
      const w = b.afterWarranty;
      return w &&
        (w.pricing === 'preferential' || w.pricing === 'reasonable') &&
        w.annualFeeCap === undefined
        ? [
            {
              path: ['afterWarranty', 'pricing'],
              message: `质保期外按“${w.pricing === 'preferential' ? '优惠价格' : '合理价格'}”收费，但没有写年度维护费上限或其他可核实的依据`,
            },
          ]
        : [];
    },
  },
  {
    id: 'letter-has-commitments',
    severity: 'warning',
    title: '承诺书应当有承诺内容',
    hint: '投标文件只写明填写的承诺：请至少填写质保期、服务人员、响应等级、服务方式等一项，或确认确实不作任何承诺。',
    check: (b) =>
      COMMITMENT_SECTIONS.some((k) => b[k] !== undefined)
        ? []
        : [{ path: [], message: '投标参数没有写任何承诺，承诺书只有开头和落款' }],
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

/** 7×24: every day, no hours of the day left out. */
function roundTheClock(h: ServiceHours): boolean {
  return (
    h.days === 'all' &&
    (h.perDay === undefined || h.perDay >= 24) &&
    (h.from === undefined || (h.from === '0:00' && (h.to === '24:00' || h.to === '0:00')))
  );
}

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
        hint: f.hint ?? r.hint,
      }),
    ),
  );
}
