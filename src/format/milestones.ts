// Milestones written as short Chinese phrases for figures and messages (clauses word them
// themselves, in the clause text legal approves).
import { interval, withinText, type Duration } from '../schema/duration.js';
import type { Milestone } from '../schema/bid.js';
import { clockFromLabels, milestoneLabels } from '../schema/labels.js';

export function milestoneName(m: { kind: Milestone['kind']; label?: string }): string {
  return m.label ?? milestoneLabels[m.kind];
}

/**
 * 30分钟内响应; 自到达现场起市区2小时内、其他市县24小时内（不含路途时间）由原厂工程师到达现场；
 * 如未能按时完成，则…: everything the clause states about a milestone, so a figure never says less.
 */
export function milestonePhrase(m: Milestone): string {
  const limit = m.cases
    ? m.cases.map((c) => `${c.when}${withinText(c.within)}`).join('、')
    : m.within
      ? withinText(m.within)
      : '';
  const from = m.from && limit ? `自${clockFromLabels[m.from]}起` : '';
  const travel = m.excludesTravel ? '（不含路途时间）' : '';
  const by = m.performer ? `由${m.performer}` : '';
  const fallback = m.fallback
    ? `；如未能按时完成，则${withinText(m.fallback.within)}${milestoneName(m.fallback)}`
    : '';
  return `${from}${limit}${travel}${by}${milestoneName(m)}${fallback}`;
}

/** Hours when the limit is an exact length (分钟, 小时, 日, 周, 立即), else null. */
export function exactHours(d: Duration | undefined): number | null {
  if (!d) return null;
  const iv = interval(d);
  if (!iv || iv[0] !== iv[1] || !Number.isFinite(iv[0])) return null;
  return iv[0] / 60;
}

/**
 * The longest exact limit of a milestone (the worst case over its cases), or null: also null when
 * it is counted from another point than the report or leaves travel out, since a bar on the same
 * axis as the others would then mislead.
 */
export function worstHours(m: Milestone): number | null {
  if ((m.from && m.from !== 'report') || m.excludesTravel) return null;
  const limits = m.cases ? m.cases.map((c) => c.within) : m.within ? [m.within] : [];
  const hs = limits.map(exactHours);
  if (!hs.length || hs.some((h) => h === null)) return null;
  return Math.max(...(hs as number[]));
}
