// Saving a form without losing anything: the changes a form submission makes are computed against
// the stored bid, field by field of the form model, and applied to the stored YAML Document, so
// fields the form does not edit (unknown keys, the tender link, clause pins), comments and the
// file's formatting stay as they were. An unchanged form gives back the stored text byte for byte.
import { isDeepStrictEqual } from 'node:util';
import { diffArrays } from 'diff';
import { isCollection, isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import type { Field, GroupField } from './form-model.js';

export type Segment = string | number;
export type Change =
  | { readonly kind: 'set'; readonly path: readonly Segment[]; readonly value: unknown }
  | { readonly kind: 'delete'; readonly path: readonly Segment[] };

const YAML_OPTS = { version: '1.2', schema: 'core' } as const;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const own = (v: unknown, k: string): unknown =>
  isPlain(v) && Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;

/** Keys of `v` that the group's form fields do not cover. */
const unknownKeys = (g: GroupField, v: Record<string, unknown>) =>
  Object.keys(v).filter((k) => !g.fields.some((f) => f.key === k));

/**
 * The changes that turn `before` into what the form says (`after`), limited to the fields of the
 * form model: keys the model does not know are never touched.
 */
export function changesOf(model: GroupField, before: unknown, after: unknown): Change[] {
  const out: Change[] = [];
  group(model, [], before, after, out);
  return out;
}

function group(g: GroupField, path: Segment[], b: unknown, a: unknown, out: Change[]): void {
  for (const f of g.fields) field(f, [...path, f.key], own(b, f.key), own(a, f.key), out);
}

/** Nothing in it: an empty list or section looks on the form as no section at all. */
export const blank = (v: unknown): boolean =>
  v === undefined ||
  (Array.isArray(v) && v.length === 0) ||
  (isPlain(v) && Object.values(v).every(blank));

function field(f: Field, p: Segment[], bv: unknown, av: unknown, out: Change[]): void {
  if (isDeepStrictEqual(bv, av)) return;
  // `exclusions: {}` or `roster: []` in the file stays: the form shows it as nothing, and says nothing.
  if (av === undefined && f.kind !== 'group' && f.kind !== 'list' && bv === undefined) return;
  if (av === undefined && (f.kind === 'group' || f.kind === 'list') && blank(bv)) return;
  // A section the file does not have and the form leaves empty is not added (a bid in a workspace
  // leaves `bidder` to the company profile: the form's empty 投标人 section must not write it).
  if (bv === undefined && (f.kind === 'group' || f.kind === 'list') && blank(av)) return;
  if (av === undefined) {
    // A group the form clears keeps what the form does not know about.
    if (f.kind === 'group' && isPlain(bv) && unknownKeys(f, bv).length) group(f, p, bv, {}, out);
    else out.push({ kind: 'delete', path: p });
    return;
  }
  if (f.kind === 'group' && isPlain(bv) && isPlain(av)) return group(f, p, bv, av, out);
  if (f.kind === 'list' && Array.isArray(bv) && Array.isArray(av)) {
    const n = Math.min(bv.length, av.length);
    for (let i = 0; i < n; i++) {
      if (isDeepStrictEqual(bv[i], av[i])) continue;
      if (isPlain(bv[i]) && isPlain(av[i])) group(f.item, [...p, i], bv[i], av[i], out);
      else out.push({ kind: 'set', path: [...p, i], value: av[i] });
    }
    for (let i = n; i < av.length; i++) out.push({ kind: 'set', path: [...p, i], value: av[i] });
    for (let i = bv.length - 1; i >= av.length; i--) out.push({ kind: 'delete', path: [...p, i] });
    return;
  }
  out.push({ kind: 'set', path: p, value: av });
}

/** `obj[key]` when it is the object's own property (never one inherited: `constructor`, …). */
const ownAt = (obj: object, key: Segment): unknown =>
  Object.prototype.hasOwnProperty.call(obj, key)
    ? (obj as Record<Segment, unknown>)[key]
    : undefined;

/** Sets `obj[key]` as an own data property (`__proto__` is a key like any other, no setter). */
const setOwn = (obj: object, key: Segment, value: unknown): void => {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
};

/**
 * The changes applied to plain data (a deep copy of `data`). Every step looks up own properties
 * only, and writes own properties only: a path naming `constructor` or `__proto__` reaches no
 * prototype, and a missing parent is made (an array when the next segment is an index).
 */
export function applyChanges<T>(data: T, changes: readonly Change[]): T {
  const root = structuredClone(data ?? {}) as unknown;
  for (const c of changes) {
    let cur = root as object;
    let reached = true;
    for (const [i, seg] of c.path.slice(0, -1).entries()) {
      let next = ownAt(cur, seg);
      if (next === null || typeof next !== 'object') {
        if (c.kind === 'delete') {
          reached = false;
          break;
        }
        next = typeof c.path[i + 1] === 'number' ? [] : {};
        setOwn(cur, seg, next);
      }
      cur = next as object;
    }
    if (!reached) continue;
    const last = c.path[c.path.length - 1]!;
    if (c.kind === 'set') setOwn(cur, last, structuredClone(c.value));
    else if (Array.isArray(cur) && typeof last === 'number') {
      if (last < cur.length) cur.splice(last, 1);
    } else if (Object.prototype.hasOwnProperty.call(cur, last))
      delete (cur as Record<Segment, unknown>)[last];
  }
  return root as T;
}

/**
 * The stored text with the changes applied through the YAML Document API. Lines the changes do not
 * touch keep their exact bytes (the document is printed once as it was and once changed, and only
 * the lines that differ between the two prints are replaced in the stored text).
 */
export function editYaml(text: string, changes: readonly Change[]): string {
  if (!changes.length) return text;
  const doc = parseDocument(text, YAML_OPTS);
  if (doc.errors.length || !isMap(doc.contents)) {
    // Not a mapping we can edit in place: write the changed data as a new document.
    const data = applyChanges(isMap(doc.contents) ? (doc.toJS() as unknown) : {}, changes);
    return stringifyData(data);
  }
  const before = doc.toString({ lineWidth: 0 });
  for (const c of changes) applyToDocument(doc, c);
  const after = doc.toString({ lineWidth: 0 });
  const spliced = splice(text, before, after);
  // The spliced text must mean exactly what the printed document means; otherwise use the print.
  return spliced !== undefined &&
    isDeepStrictEqual(parse(spliced, YAML_OPTS), parse(after, YAML_OPTS))
    ? spliced
    : after;
}

function stringifyData(data: unknown): string {
  const d = parseDocument('{}', YAML_OPTS);
  d.contents = d.createNode(data) as never;
  return d.toString({ lineWidth: 0 });
}

function applyToDocument(doc: ReturnType<typeof parseDocument>, c: Change): void {
  if (c.kind === 'delete') {
    if (doc.hasIn(c.path)) doc.deleteIn(c.path);
    return;
  }
  const existing = doc.getIn(c.path, true) as Node | undefined;
  if (isScalar(existing) && typeof existing.value === 'string' && typeof c.value === 'string') {
    existing.value = c.value; // keeps the node's comment and quoting style
    return;
  }
  const node = doc.createNode(c.value) as Node;
  if (existing) {
    node.comment = existing.comment;
    node.commentBefore = existing.commentBefore;
    if (isCollection(existing) && isCollection(node)) node.flow = existing.flow;
  } else {
    // A new item in a flow list is written in flow style too.
    const parent = doc.getIn(c.path.slice(0, -1), true) as Node | undefined;
    if (isSeq(parent) && parent.flow && isCollection(node)) node.flow = true;
  }
  doc.setIn(c.path, node);
}

function splice(original: string, before: string, after: string): string | undefined {
  const o = original.split('\n');
  const b = before.split('\n');
  // Only when the printed document has the stored text's lines one for one.
  if (o.length !== b.length) return undefined;
  const out: string[] = [];
  let at = 0;
  // Flow lists written `[a, b]` in the file stay so on the lines that change.
  const unpadded = /: \[[^\s\]]/.test(original) && !/: \[ /.test(original);
  const style = (l: string) => (unpadded ? l.replace(/\[ ([^[\]]*?) \]/g, '[$1]') : l);
  for (const part of diffArrays(b, after.split('\n'))) {
    if (part.added) out.push(...part.value.map(style));
    else {
      if (!part.removed) out.push(...o.slice(at, at + part.value.length));
      at += part.value.length;
    }
  }
  return out.join('\n');
}
