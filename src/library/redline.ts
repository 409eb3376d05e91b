// Differences between two clause versions, at paragraph then word level (ICU word breaks, so
// Chinese diffs by word rather than by line), and the redline document built from them.
import { diffArrays } from 'diff';
import type { Block, Document, Inline } from '../ir/types.js';
import { STATUS_LABELS } from './library.js';
import type { ClauseFile, ClauseVersion } from '../schema/library.js';

export interface Piece {
  readonly kind: 'same' | 'insert' | 'delete';
  readonly text: string;
}

const words = new Intl.Segmenter('zh-CN', { granularity: 'word' });

/** Word tokens: Chinese words as ICU segments them, runs of Latin letters/digits, punctuation, spaces. */
export function tokenize(s: string): string[] {
  return [...words.segment(s)].map((x) => x.segment);
}

function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.kind === p.kind)
      out[out.length - 1] = { kind: p.kind, text: last.text + p.text };
    else if (p.text) out.push(p);
  }
  return out;
}

/** Word-level diff of one paragraph. */
export function diffText(a: string, b: string): Piece[] {
  return merge(
    diffArrays(tokenize(a), tokenize(b)).map((part) => ({
      kind: part.added ? 'insert' : part.removed ? 'delete' : 'same',
      text: part.value.join(''),
    })),
  );
}

export function paragraphs(body: string): string[] {
  return body
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter(Boolean);
}

/** Paragraphs of the new text, each a list of pieces; removed paragraphs appear as deletions. */
export function diffBodies(a: string, b: string): Piece[][] {
  const out: Piece[][] = [];
  const parts = diffArrays(paragraphs(a), paragraphs(b));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      // A changed block of paragraphs: pair them up and diff word by word.
      const n = Math.max(part.value.length, next.value.length);
      for (let j = 0; j < n; j++) {
        const before = part.value[j];
        const after = next.value[j];
        if (before !== undefined && after !== undefined) out.push(diffText(before, after));
        else if (before !== undefined) out.push([{ kind: 'delete', text: before }]);
        else out.push([{ kind: 'insert', text: after! }]);
      }
      i++;
    } else {
      const kind = part.added ? 'insert' : part.removed ? 'delete' : 'same';
      for (const p of part.value) out.push([{ kind, text: p }]);
    }
  }
  return out;
}

/** Who made a change and when: the newer version's author and approval date. */
function changeMark(older: ClauseVersion, newer: ClauseVersion): { author: string; date: string } {
  return {
    author: newer.author ?? '未署名',
    date: newer.approvedOn ?? older.approvedOn ?? '2000-01-01',
  };
}

function inlinesOf(pieces: Piece[], mark: { author: string; date: string }): Inline[] {
  const out: Inline[] = [];
  for (const p of pieces) {
    p.text.split('\n').forEach((line, i) => {
      if (i > 0) out.push({ type: 'break' });
      if (!line) return;
      out.push(
        p.kind === 'same'
          ? { type: 'text', value: line }
          : { type: 'revision', kind: p.kind, ...mark, value: line },
      );
    });
  }
  return out;
}

const text = (value: string): Inline[] => [{ type: 'text', value }];

/** The redline as a document: versions table, then the newer body with tracked changes. */
export function redlineDocument(
  clause: ClauseFile,
  older: ClauseVersion,
  newer: ClauseVersion,
): Document {
  const mark = changeMark(older, newer);
  const row = (v: ClauseVersion) => ({
    type: 'tableRow' as const,
    children: [
      `第 ${v.version} 版`,
      STATUS_LABELS[v.status],
      v.author ?? '',
      v.approvedBy ?? '',
      v.approvedOn ?? '',
      v.note ?? '',
    ].map((c) => ({ type: 'tableCell' as const, children: c ? text(c) : [] })),
  });
  const children: Block[] = [
    { type: 'title', children: text('条款修订对照') },
    {
      type: 'paragraph',
      align: 'center',
      indent: false,
      children: text(
        `${clause.title}（${clause.id}）第 ${older.version} 版 → 第 ${newer.version} 版`,
      ),
    },
    { type: 'heading', level: 1, label: '一、', children: text('版本信息') },
    {
      type: 'table',
      columns: ['center', 'center', 'center', 'center', 'center', 'left'].map((align) => ({
        align: align as 'center' | 'left',
      })),
      head: [
        {
          type: 'tableRow',
          children: ['版本', '状态', '起草人', '批准人', '批准日期', '修订说明'].map((c) => ({
            type: 'tableCell',
            children: text(c),
          })),
        },
      ],
      body: [row(older), row(newer)],
    },
    {
      type: 'heading',
      level: 1,
      label: '二、',
      children: text('正文修订（下划线为新增，删除线为删去）'),
    },
    ...diffBodies(older.body, newer.body).map((pieces): Block => ({
      type: 'paragraph',
      align: 'left',
      indent: false,
      children: inlinesOf(pieces, mark),
    })),
  ];
  return {
    type: 'document',
    meta: {
      id: 'redline',
      title: `${clause.title}修订对照（第${older.version}版至第${newer.version}版）`,
      date: mark.date,
      author: mark.author,
      subject: clause.id,
      draft: false,
    },
    children,
  };
}

/** Terminal form: `[-deleted-]{+inserted+}`, one paragraph per block. */
export function redlineText(pieces: Piece[][]): string {
  return pieces
    .map((ps) =>
      ps
        .map((p) =>
          p.kind === 'same' ? p.text : p.kind === 'insert' ? `{+${p.text}+}` : `[-${p.text}-]`,
        )
        .join(''),
    )
    .join('\n\n');
}
