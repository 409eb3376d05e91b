// Chinese numbering conventions: heading labels 一、/（一）/1./（1） and list markers.
import type { List } from './types.js';
import { cnLower } from '../format/cn-number.js';

/** The label for the n-th (1-based) heading at a level. */
export function headingLabel(level: 1 | 2 | 3 | 4, n: number): string {
  switch (level) {
    case 1:
      return `${cnLower(n)}、`;
    case 2:
      return `（${cnLower(n)}）`;
    case 3:
      return `${n}.`;
    case 4:
      return `（${n}）`;
  }
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';

/** The marker text (with its trailing space where one belongs) for item `index` (0-based). */
export function listMarker(list: List, index: number): string {
  const n = list.start + index;
  if (!list.ordered) return list.depth === 0 ? '• ' : '◦ ';
  switch (list.depth % 3) {
    case 0:
      return `${n}. `;
    case 1:
      return `（${n}）`;
    default:
      return n <= CIRCLED.length ? CIRCLED[n - 1]! : `${n}) `;
  }
}
