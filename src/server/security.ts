// Request checks that keep one hostile client from breaking the server for everyone:
// - form actions (`add:`, `remove:`, `up:`, `down:`) only on the lists of the form model;
// - path lookups on own properties only (never `constructor`, `__proto__`, …);
// - POST bodies of strings only (a JSON body with numbers or objects is refused: 400);
// - `Cache-Control: no-store` on everything but static files;
// - a back link for error pages that works under the CSP (no `javascript:` URLs).
import type { NextFunction, Request, Response } from 'express';
import { formModel, type Field, type GroupField } from './form-model.js';

/** A request refused with a message for people (400 unless given). */
export class BadRequest extends Error {
  readonly expose = true;
  constructor(
    readonly userMessage: string,
    readonly status = 400,
  ) {
    super(userMessage);
  }
}

export type Segment = string | number;

const KEY_RE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * A field path (`responseTiers[0].milestones[2]`) as segments, or undefined if it is not one:
 * keys of letters and digits only, indices of at most four digits, nothing else.
 */
export function parsePath(p: string): Segment[] | undefined {
  if (p.length > 300) return undefined;
  const segs: Segment[] = [];
  let rest = p;
  while (rest) {
    const m = segs.length
      ? /^(?:\.([A-Za-z][A-Za-z0-9]{0,63})|\[(\d{1,4})\])/.exec(rest)
      : /^([A-Za-z][A-Za-z0-9]{0,63})/.exec(rest);
    if (!m) return undefined;
    segs.push(m[1] !== undefined ? m[1] : Number(m[2]));
    rest = rest.slice(m[0].length);
  }
  return segs.length ? segs : undefined;
}

/** The form model's field at `segs`, looked up by the model's own field keys only. */
export function modelField(
  segs: readonly Segment[],
  model: GroupField = formModel(),
): Field | undefined {
  let cur: Field | undefined = model;
  for (const seg of segs) {
    if (typeof seg === 'number') {
      if (cur?.kind !== 'list') return undefined;
      cur = cur.item;
    } else {
      if (cur?.kind !== 'group' || !KEY_RE.test(seg)) return undefined;
      cur = cur.fields.find((f) => f.key === seg);
    }
  }
  return cur;
}

/** Every list of the form model, as paths with `[]` for indices (`responseTiers[].milestones`). */
export function listPaths(model: GroupField = formModel()): Map<string, 'list' | 'ordered'> {
  const out = new Map<string, 'list' | 'ordered'>();
  const walk = (g: GroupField, prefix: string) => {
    for (const f of g.fields) {
      const p = prefix ? `${prefix}.${f.key}` : f.key;
      if (f.kind === 'group') walk(f, p);
      else if (f.kind === 'list') {
        out.set(p, 'list');
        walk(f.item, `${p}[]`);
      } else if (f.kind === 'ordered') out.set(p, 'ordered');
    }
  };
  walk(model, '');
  return out;
}

let lists: Map<string, 'list' | 'ordered'> | undefined;
const shapeOf = (segs: readonly Segment[]) =>
  segs.map((s, i) => (typeof s === 'number' ? '[]' : i ? `.${s}` : s)).join('');

/** The row-changing verbs and what they apply to. */
const VERBS: Record<string, { index: boolean; kinds: readonly ('list' | 'ordered')[] }> = {
  add: { index: false, kinds: ['list', 'ordered'] },
  remove: { index: true, kinds: ['list', 'ordered'] },
  up: { index: true, kinds: ['ordered'] },
  down: { index: true, kinds: ['ordered'] },
};

/**
 * Checks a form's `_action` before anything is done with it: `save`, or a row action on a list
 * path of the form model (`add:responseTiers[0].milestones`, `remove:service.escalation[1]`).
 * Anything else (another verb, a path outside the model, prototype keys) → BadRequest (400).
 */
export function checkAction(action: string): void {
  if (action === 'save') return;
  if (!actionTarget(action))
    throw new BadRequest('无法执行这个操作：表单中没有这样的列表。页面已按您提交的内容重新显示。');
}

/** The list an action applies to (`responseTiers[0].milestones`), if the action is a valid one. */
function actionTarget(action: string): Segment[] | undefined {
  const m = /^([a-z]{2,10}):(.{1,300})$/s.exec(action);
  if (!m || !Object.prototype.hasOwnProperty.call(VERBS, m[1]!)) return undefined;
  const verb = VERBS[m[1]!]!;
  const segs = parsePath(m[2]!);
  if (!segs) return undefined;
  if (verb.index && typeof segs.pop() !== 'number') return undefined;
  if (!segs.length || typeof segs[segs.length - 1] !== 'string') return undefined;
  const kind = (lists ??= listPaths()).get(shapeOf(segs));
  return kind && verb.kinds.includes(kind) && modelField(segs) ? segs : undefined;
}

/** The value at `segs` in plain data, through own properties only. */
export function ownValueAt(data: unknown, segs: readonly Segment[]): unknown {
  let cur = data;
  for (const seg of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof seg === 'number' ? !Array.isArray(cur) : Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/**
 * Refuses a POST body that is not an object of strings (or lists of strings): what a form sends.
 * A JSON body with numbers, booleans, objects or nulls gets 400 before any code reads it.
 */
export function stringsOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const body: unknown = req.body;
  if (body === undefined) return next();
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return next(new BadRequest('提交的内容格式不正确：应为“字段名: 文字”的表单数据。'));
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') continue;
    if (Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === 'string')) continue;
    const name = k.length > 60 ? `${k.slice(0, 60)}…` : k;
    return next(new BadRequest(`提交的内容格式不正确：字段“${name}”的值应为文字。`));
  }
  next();
}

/** Pages and downloads are never stored by browsers or proxies (static files are, briefly). */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/** The client a request counts against for limits: its remote address (proxies are not trusted). */
export function clientOf(req: Request): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * Where an error page's 返回 link goes: the page the user came from when it is on this server
 * (the Referer, path and query only), otherwise the bid list.
 */
export function backLink(req: Request): string {
  const ref = req.get('referer');
  const host = req.get('host');
  if (ref && host) {
    try {
      const u = new URL(ref);
      if (u.host === new URL(`${u.protocol}//${host}`).host)
        return `/${u.pathname.replace(/^\/+/, '')}${u.search}`;
    } catch {
      // not a URL
    }
  }
  return '/bids';
}
