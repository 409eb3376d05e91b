// pdfmake's style lookup, made cheap. pdfmake (0.3) resolves some twenty style properties for every
// inline of text (every Chinese character is an inline of its own) by pushing the inline onto its
// style stack, walking the stack from the top through a freshly made closure, and popping it again:
// a third of a long document's layout time and much of its garbage. The functions below answer the
// same question in the same order (the inline's own value, its named styles, the stack from the
// top, the default style) without pushing, popping or allocating, so the PDF is byte for byte the
// one pdfmake makes on its own (the tests render documents and compare). Answers are remembered
// while the stack stays the same, never across documents' stacks.
import { createRequire } from 'node:module';

type StyleValue = Record<string, unknown> & { extends?: string | string[] };
type Override = string | Record<string, unknown>;
interface StyleStack {
  styleDictionary: Record<string, StyleValue | undefined>;
  defaultStyle?: Record<string, unknown>;
  styleOverrides: Override[];
  getProperty(property: string): unknown;
}
interface StyleStackClass {
  prototype: StyleStack & {
    push(entry: Override): void;
    pop(howMany?: number): void;
  };
  getStyleProperty(
    item: unknown,
    stack: StyleStack | undefined,
    property: string,
    defaultValue: unknown,
  ): unknown;
}

const isValue = (v: unknown) => v !== undefined && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string' || v instanceof String;

/** A property of a named style, following `extends` (the last parent first), as pdfmake does. */
function fromNamed(
  dictionary: StyleStack['styleDictionary'],
  name: string,
  property: string,
  visited?: Set<string>,
): unknown {
  const style = dictionary[name];
  if (!style) return undefined;
  if (isValue(style[property])) return style[property];
  if (!style.extends) return undefined;
  const seen = visited ?? new Set<string>();
  seen.add(name);
  const parents = Array.isArray(style.extends) ? style.extends : [style.extends];
  for (let i = parents.length - 1; i >= 0; i--) {
    const parent = parents[i]!;
    if (seen.has(parent)) continue;
    const value = fromNamed(dictionary, parent, property, seen);
    if (isValue(value)) return value;
  }
  return undefined;
}

/** One entry of the stack: a style name or an object of overrides. */
function fromOverride(stack: StyleStack, entry: Override, property: string): unknown {
  return isString(entry)
    ? fromNamed(stack.styleDictionary, String(entry), property)
    : entry[property];
}

function lookUp(stack: StyleStack, property: string): unknown {
  const overrides = stack.styleOverrides;
  for (let i = overrides.length - 1; i >= 0; i--) {
    const value = fromOverride(stack, overrides[i]!, property);
    if (isValue(value)) return value;
  }
  return stack.defaultStyle && stack.defaultStyle[property];
}

/**
 * What the stack answered since it last changed: every inline of a paragraph asks the same stack
 * the same twenty questions. A stack changes only by `push` and `pop` (counted in `changes`); the
 * answers are dropped on any change, and kept only while the stack is the same length with the
 * same top entry as when they were given.
 */
interface Answers {
  changes: number;
  length: number;
  top: Override | undefined;
  values: Map<string, unknown>;
}
const answers = new WeakMap<StyleStack, Answers>();
const changes = new WeakMap<StyleStack, number>();

function getProperty(this: StyleStack, property: string): unknown {
  const overrides = this.styleOverrides;
  const n = changes.get(this) ?? 0;
  const top = overrides[overrides.length - 1];
  let a = answers.get(this);
  if (!a || a.changes !== n || a.length !== overrides.length || a.top !== top) {
    a = { changes: n, length: overrides.length, top, values: new Map() };
    answers.set(this, a);
  }
  if (a.values.has(property)) return a.values.get(property);
  const value = lookUp(this, property);
  a.values.set(property, value);
  return value;
}

function getStyleProperty(
  item: unknown,
  stack: StyleStack | undefined,
  property: string,
  defaultValue: unknown,
): unknown {
  const own = (item as Record<string, unknown>)[property];
  if (isValue(own)) return own;
  if (!stack) return defaultValue;
  // pdfmake pushes the item's named styles, then the item itself (whose own value is absent).
  const node = item as { style?: Override | Override[]; section?: unknown };
  if (!isString(item) && node.section === undefined && node.style) {
    const names = Array.isArray(node.style) ? node.style : [node.style];
    for (let i = names.length - 1; i >= 0; i--) {
      const value = fromOverride(stack, names[i]!, property);
      if (isValue(value)) return value;
    }
  }
  const value = stack.getProperty(property);
  return isValue(value) ? value : defaultValue;
}

let installed = false;

/** Puts the cheap lookup in place of pdfmake's (once per thread; pdfmake is one module instance). */
export function fastStyleLookup(): void {
  if (installed) return;
  installed = true;
  let cls: StyleStackClass | undefined;
  try {
    const require = createRequire(import.meta.url);
    cls = (require('pdfmake/js/StyleContextStack.js') as { default?: StyleStackClass }).default;
  } catch {
    return; // pdfmake laid out differently (bundled): its own lookup stays
  }
  // Another pdfmake whose stack looks different keeps its own lookup.
  if (
    typeof cls?.getStyleProperty !== 'function' ||
    typeof cls.prototype.getProperty !== 'function'
  )
    return;
  const { push, pop } = cls.prototype;
  if (typeof push !== 'function' || typeof pop !== 'function') return;
  cls.prototype.push = function (this: StyleStack, entry: Override) {
    changes.set(this, (changes.get(this) ?? 0) + 1);
    push.call(this, entry);
  };
  cls.prototype.pop = function (this: StyleStack, howMany?: number) {
    changes.set(this, (changes.get(this) ?? 0) + 1);
    pop.call(this, howMany);
  };
  cls.getStyleProperty = getStyleProperty;
  cls.prototype.getProperty = getProperty;
}
