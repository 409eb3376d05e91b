// `tenderkit explain <bid.yaml> [--format text|json|markdown] [--drafts]`: the commitment checklist.
// Renders (and checks) every document like `lint`, then lists each commitment the documents make.
import { renderChecked } from '../build.js';
import { formatDiagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { checklistMarkdown, checklistText, explainCommitments } from '../explain/explain.js';
import { locatedIn, prepareBid } from '../prepare.js';
import { findMissingGlyphs } from '../writers/pdf/glyphs.js';
import type { Io } from './clauses.js';
import { parseCommand, UsageError } from './usage.js';
import { discoverWorkspace, workspaceLibrary } from '../workspace/workspace.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

export async function runExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('explain', args);
  if (positionals.length !== 1)
    throw new UsageError(
      'explain 需要且只需要一个投标参数文件，例如：tenderkit explain bid.yaml',
      'explain',
    );
  const file = positionals[0]!;
  const fmt = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(fmt))
    throw new UsageError(`explain --format 只能是 ${FORMATS.join('、')}，收到“${fmt}”`, 'explain');

  // Errors are thrown (located) and printed by main with exit code 1; warnings go to stderr.
  const warnings: Diagnostic[] = [];
  const workspace = discoverWorkspace({ workspace: values.workspace, from: file }, 'explain');
  const library = workspaceLibrary(workspace);
  const bid = prepareBid(file, (w) => warnings.push(w), {
    allowDrafts: values.drafts,
    library,
    workspace: workspace ?? null,
  });
  const docs = await locatedIn(bid, () => {
    const rendered = renderChecked(bid.params, {
      library,
      ...(workspace?.style ? { style: workspace.style } : {}),
      extra: { ...bid.extra, outlineFigures: false }, // checked, never written
      onWarning: (w) => warnings.push(bid.locate(w)),
    });
    // Like lint: a character the PDF font cannot draw is an error in the bid.
    const glyphs = rendered.flatMap(findMissingGlyphs);
    if (glyphs.length) throw new TenderKitError(glyphs);
    return rendered;
  });
  for (const w of warnings) io.err(`${formatDiagnostic(w)}\n`);

  const list = explainCommitments(bid, docs, library);
  const head = {
    file,
    project: bid.params.project.name,
    documents: docs.map((d) => d.meta.title),
    ...(bid.profile ? { company: bid.profile.file } : {}),
  };
  if (fmt === 'json') io.out(`${JSON.stringify(list, null, 2)}\n`);
  else if (fmt === 'markdown') io.out(checklistMarkdown(list, head));
  else io.out(checklistText(list, head));
  return 0;
}
