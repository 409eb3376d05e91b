// How writers walk lists: each item's first paragraph gets the item's marker, nothing else does.
import type { List, ListItem, Paragraph } from '../ir/types.js';

export interface ItemContext {
  readonly list: List;
  readonly index: number;
}

type WithItem = { readonly item?: ItemContext };

/** Renders each item of `list` with the item context set. */
export function eachItem<C extends WithItem, O>(
  list: List,
  ctx: C,
  render: (item: ListItem, ctx: C) => O[],
): O[] {
  return list.children.flatMap((item, index) => render(item, { ...ctx, item: { list, index } }));
}

/** Renders an item's blocks: the first paragraph keeps the marker context, the rest lose it. */
export function itemBlocks<C extends WithItem, O>(
  item: ListItem,
  ctx: C,
  render: (b: Paragraph | List, ctx: C) => O[],
): O[] {
  return item.children.flatMap((b, j) =>
    render(b, b.type === 'paragraph' && j === 0 ? ctx : { ...ctx, item: undefined }),
  );
}
