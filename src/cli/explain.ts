// `tenderkit explain <bid.yaml> [--format text|json|markdown] [--drafts]`: the commitment checklist.
// Renders (and checks) every document like `lint`, then lists each commitment the documents make.
import { parseArgs } from 'node:util';
import { renderChecked } from '../build.js';
import { formatDiagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { checklistMarkdown, checklistText, explainCommitments } from '../explain/explain.js';
import { locatedIn, prepareBid } from '../load/prepare.js';
import { findMissingGlyphs } from '../writers/pdf/glyphs.js';
import { UsageError, type Io } from './clauses.js';

export const EXPLAIN_HELP = `  tenderkit explain <bid.yaml> [--format text|json|markdown] [--drafts]
      承诺清单：逐行列出文件将作出的每一项承诺（内容、写在哪些文件、出自哪个条款版本、
      投标参数文件第几行）；本投标自拟的其他承诺标明“未经条款库审核”。投标参数有错误时
      列出错误位置，退出码为 1`;

const FORMATS = ['text', 'json', 'markdown'] as const;

export async function runExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', short: 'f' }, drafts: { type: 'boolean' } },
  });
  if (positionals.length !== 1)
    throw new UsageError('explain 需要且只需要一个投标参数文件，例如：tenderkit explain bid.yaml');
  const file = positionals[0]!;
  const fmt = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(fmt))
    throw new UsageError(`explain --format 只能是 ${FORMATS.join('、')}，收到“${fmt}”`);

  // Errors are thrown (located) and printed by main with exit code 1; warnings go to stderr.
  const warnings: Diagnostic[] = [];
  const bid = prepareBid(file, (w) => warnings.push(w), { allowDrafts: values.drafts });
  const docs = await locatedIn(bid, () => {
    const rendered = renderChecked(bid.params, {
      extra: bid.extra,
      onWarning: (w) => warnings.push(bid.locate(w)),
    });
    // Like lint: a character the PDF font cannot draw is an error in the bid.
    const glyphs = rendered.flatMap(findMissingGlyphs);
    if (glyphs.length) throw new TenderKitError(glyphs);
    return rendered;
  });
  for (const w of warnings) io.err(`${formatDiagnostic(w)}\n`);

  const list = explainCommitments(bid, docs);
  const head = {
    file,
    project: bid.params.project.name,
    documents: docs.map((d) => d.meta.title),
  };
  if (fmt === 'json') io.out(`${JSON.stringify(list, null, 2)}\n`);
  else if (fmt === 'markdown') io.out(checklistMarkdown(list, head));
  else io.out(checklistText(list, head));
  return 0;
}
