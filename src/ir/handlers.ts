// The writer contract: one handler per node type, so a new node type fails to compile until handled.
import type { Node, NodeOf, NodeType } from './types.js';

/** What each node type produces in a given writer (e.g. a docx Paragraph for `paragraph`). */
export type ResultMap = { readonly [T in NodeType]: unknown };

export type Handler<T extends NodeType, Ctx, R extends ResultMap> = (
  node: NodeOf<T>,
  ctx: Ctx,
  all: Handlers<Ctx, R>,
) => R[T];

export type Handlers<Ctx, R extends ResultMap> = { readonly [T in NodeType]: Handler<T, Ctx, R> };

/** Calls the handler for `node.type`; unknown types (from untyped input) throw with the type named. */
export function dispatch<Ctx, R extends ResultMap, N extends Node>(
  handlers: Handlers<Ctx, R>,
  node: N,
  ctx: Ctx,
): R[N['type']] {
  const h = handlers[node.type] as Handler<N['type'], Ctx, R> | undefined;
  if (!h)
    throw new Error(`no handler for IR node type "${String((node as { type: unknown }).type)}"`);
  return h(node as unknown as NodeOf<N['type']>, ctx, handlers);
}
