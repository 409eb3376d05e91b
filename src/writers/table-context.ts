// How writers walk tables: header cells centred and bold, body cells aligned by their column.
import type { Table } from '../ir/types.js';

export type Align = 'left' | 'center' | 'right';

interface RowCtx {
  readonly bold: boolean;
  readonly header?: boolean;
  readonly aligns?: readonly Align[];
}

/** The contexts for a table's header rows and body rows. */
export function rowContexts<C extends RowCtx>(t: Table, ctx: C): { head: C; body: C } {
  return {
    head: { ...ctx, header: true, bold: true, aligns: t.columns.map((): Align => 'center') },
    body: { ...ctx, header: false, aligns: t.columns.map((c) => c.align) },
  };
}
