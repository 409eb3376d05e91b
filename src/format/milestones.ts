// Milestones written as short Chinese phrases for figures and messages (clauses word them
// themselves, in the clause text legal approves).
import { interval, withinText, type Duration } from '../schema/duration.js';
import type { Milestone } from '../schema/bid.js';
import { milestoneLabels } from '../schema/labels.js';

export function milestoneName(m: { kind: Milestone['kind']; label?: string }): string {
  return m.label ?? milestoneLabels[m.kind];
}

/** 30分钟内响应; 市区2小时内、其他市县24小时内到达现场; 在双方协商确定的时限内排除故障. */
export function milestonePhrase(m: Milestone): string {
  const limit = m.cases
    ? m.cases.map((c) => `${c.when}${withinText(c.within)}`).join('、')
    : m.within
      ? withinText(m.within)
      : '';
  return `${limit}${milestoneName(m)}`;
}

/** Hours when the limit is an exact length (分钟, 小时, 日, 周, 立即), else null. */
export function exactHours(d: Duration | undefined): number | null {
  if (!d) return null;
  const iv = interval(d);
  if (!iv || iv[0] !== iv[1] || !Number.isFinite(iv[0])) return null;
  return iv[0] / 60;
}

/** The longest exact limit of a milestone (the worst case over its cases), or null. */
export function worstHours(m: Milestone): number | null {
  const limits = m.cases ? m.cases.map((c) => c.within) : m.within ? [m.within] : [];
  const hs = limits.map(exactHours);
  if (!hs.length || hs.some((h) => h === null)) return null;
  return Math.max(...(hs as number[]));
}
