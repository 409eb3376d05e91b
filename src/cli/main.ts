// The `tenderkit` command: build, lint and schema. User mistakes print located messages, no stacks.
// Each command imports what it needs when it runs (see `run`): `--version`, `--help` and usage
// errors load none of the schema, library, renderers or writers.
import { formatDiagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { catalogue } from '../diagnostics/catalogue.js';
import type { Deviation } from '../checks/deviations.js';
import type { Io } from './clauses.js';
import {
  HELP,
  helpFor,
  parseCommand,
  TOP_COMMANDS,
  unknownTopLevel,
  UsageError,
  wantsHelp,
} from './usage.js';
import { FORMATS, type Format } from '../writers/types.js';

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 70 } as const;

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

function parseFormats(v: string | undefined): Format[] {
  if (!v) return ['docx', 'pdf'];
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length || !list.length)
    throw new UsageError(
      `--format 只能是 ${FORMATS.join('、')} 中的一个或多个（用逗号分隔），收到“${v}”`,
      'build',
    );
  return [...new Set(list)] as Format[];
}

function oneFile(positionals: string[], cmd: string): string {
  if (positionals.length !== 1)
    throw new UsageError(
      `${cmd} 需要且只需要一个投标参数文件，例如：tenderkit ${cmd} bid.yaml`,
      cmd,
    );
  return positionals[0]!;
}

function diagnosticJson(d: Diagnostic) {
  return {
    name: d.rule ?? d.name,
    severity: d.severity,
    message: d.message,
    hint: d.hint ?? catalogue[d.name].hint,
    file: d.location?.file ?? null,
    line: d.location?.line ?? null,
    col: d.location?.col ?? null,
    path: d.path ?? null,
    label: d.label ?? null,
    text: formatDiagnostic(d),
  };
}

async function run(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || (cmd === 'help' && !rest.length)) {
    io.out(HELP);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (cmd === '--version' || cmd === '-v') {
    const { toolVersion } = await import('../provenance/version.js');
    io.out(`${toolVersion()}\n`);
    return EXIT.ok;
  }
  // `tenderkit help build`, `tenderkit build --help`, `tenderkit clauses diff -h`.
  const [topic = '', ...topicRest] = cmd === 'help' ? rest : [cmd, ...rest];
  if (!(TOP_COMMANDS as readonly string[]).includes(topic)) throw unknownTopLevel(topic);
  if (cmd === 'help' || wantsHelp(rest)) {
    io.out(helpFor(topic, topicRest));
    return EXIT.ok;
  }
  switch (cmd) {
    case 'build': {
      const { values, positionals } = parseCommand('build', rest);
      const file = oneFile(positionals, 'build');
      const formats = parseFormats(values.format);
      if (values.out === '')
        throw new UsageError('--out 不能为空：请给出输出目录（不写 --out 时为 out/）', 'build');
      if (!/\.ya?ml$/i.test(file))
        throw new UsageError(
          `投标参数文件应是 .yaml 或 .yml 文件，收到“${file}”：构建记录（manifest.json）只认这样的文件，否则无法用 verify 复核。请改名后再构建`,
          'build',
        );
      const outDir = values.out ?? 'out';
      // Ctrl-C or a TERM while the documents render: nothing is staged yet, so stop at once and
      // say the folder is unchanged. Writing the folder (writeBuild) is synchronous, so a signal
      // arriving then is handled only after every file is in place or every step undone.
      let committed = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (committed) return;
        io.err(`构建已中断（${signal}），输出目录未改动。\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      // Removed again when the command returns or throws (main also runs in-process, in tests).
      // Once the files are in place, a signal until the process ends is ignored instead: Node's
      // default would end it with 130/143, telling a script the folder is unchanged when it holds
      // the new build.
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      using _signals = {
        [Symbol.dispose]: () => {
          if (committed) ignoreSignalsUntilExit();
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        },
      };
      // Before any work (output.js is light): an unusable output folder fails at once.
      const { checkOutputDir, cleanTempFiles, writeBuild } = await import('../output.js');
      checkOutputDir(outDir);
      // Where there is a second core, PDFs are written on a second thread, which starts loading
      // now (see writers/thread.ts); TENDERKIT_THREADS=0 writes everything on this thread.
      const { startWriterThread } = await import('../writers/thread.js');
      await using thread = startWriterThread(formats.filter((f) => f === 'pdf'));
      (await import('./zod-config.js')).parseWithoutCompiling();
      // The figures' PNGs for Word are kept in the user's cache by the CLI only (figures/raster.ts).
      if (formats.includes('docx')) (await import('../figures/raster.js')).keepFiguresOnDisk();
      const [{ buildBid }, { locatedIn, prepareBid }, { fontHashes, workspaceInputs }, ws] =
        await Promise.all([
          import('../build.js'),
          import('../prepare.js'),
          import('../provenance/manifest.js'),
          import('../workspace/workspace.js'),
        ]);
      const workspace = ws.discoverWorkspace({ workspace: values.workspace, from: file }, 'build');
      const library = ws.workspaceLibrary(workspace);
      const printWarning = (w: Diagnostic) => io.err(`${formatDiagnostic(w)}\n`);
      const checked = prepareBid(file, printWarning, {
        allowDrafts: values.drafts,
        library,
        workspace: workspace ?? null,
      });
      // The built-in fonts are the files their packages shipped (hashed for the manifest anyway,
      // kept in the cache by file identity): a damaged one stops the build before any work.
      fontHashes();
      cleanTempFiles(outDir);
      const files = await locatedIn(checked, () =>
        buildBid(checked.params, {
          extra: checked.extra,
          library,
          ...(workspace?.style ? { style: workspace.style } : {}),
          pdfa: Boolean(values.pdfa),
          cleanMetadata: Boolean(values['clean-metadata']),
          provenance: {
            bid: checked.source,
            tender: checked.tenderSource,
            formats,
            drafts: Boolean(values.drafts),
            pdfa: Boolean(values.pdfa),
            cleanMetadata:
              Boolean(values['clean-metadata']) || workspace?.style?.cleanMetadata === true,
            ...workspaceInputs(checked),
          },
          formats,
          onProgress: (done, total, name) => io.err(`[${done}/${total}] ${name}\n`),
          onWarning: printWarning,
          thread,
        }),
      );
      // A Ctrl-C that came while the last file was made is handled here, before the folder changes
      // (the handler runs only when this thread reaches the event loop).
      await new Promise((resolve) => setImmediate(resolve));
      const { written, removed, kept } = writeBuild(outDir, files);
      committed = true;
      for (const w of written) io.out(`${w}\n`);
      for (const r of removed) io.err(`已删除上次构建留下、本次不再生成的 ${r}\n`);
      for (const r of kept)
        io.err(
          `保留了 ${r}：它是上次构建生成的，但之后被改动过（与构建记录不符），本次不再生成，也没有删除。交付前请确认它是否还应留在输出目录中。\n`,
        );
      return EXIT.ok;
    }
    case 'lint': {
      const { values, positionals } = parseCommand('lint', rest);
      const file = oneFile(positionals, 'lint');
      const fmt = values.format ?? 'text';
      if (fmt !== 'text' && fmt !== 'json')
        throw new UsageError(`lint --format 只能是 text 或 json，收到“${fmt}”`, 'lint');
      const found: Diagnostic[] = [];
      let titles: string[] = [];
      let deviations: readonly Deviation[] = [];
      (await import('./zod-config.js')).parseWithoutCompiling();
      const [{ renderChecked }, { locatedIn, prepareBid }, { findMissingGlyphs }, ws] =
        await Promise.all([
          import('../build.js'),
          import('../prepare.js'),
          import('../writers/pdf/glyphs.js'),
          import('../workspace/workspace.js'),
        ]);
      try {
        const workspace = ws.discoverWorkspace({ workspace: values.workspace, from: file }, 'lint');
        const library = ws.workspaceLibrary(workspace);
        const checked = prepareBid(file, (w) => found.push(w), {
          allowDrafts: values.drafts,
          library,
          workspace: workspace ?? null,
        });
        deviations = checked.deviations;
        const docs = await locatedIn(checked, () => {
          const rendered = renderChecked(checked.params, {
            library,
            ...(workspace?.style ? { style: workspace.style } : {}),
            extra: { ...checked.extra, outlineFigures: false }, // checked, never written
            onWarning: (w) => found.push(checked.locate(w)),
          });
          const glyphs = rendered.flatMap(findMissingGlyphs);
          if (glyphs.length) throw new TenderKitError(glyphs);
          return rendered;
        });
        titles = docs.map((d) => d.meta.title);
      } catch (e) {
        if (!(e instanceof TenderKitError)) throw e;
        found.push(...e.diagnostics);
      }
      const errors = found.filter((d) => d.severity === 'error').length;
      const warnings = found.length - errors;
      const code = errors || (values.strict && warnings) ? EXIT.invalid : EXIT.ok;
      if (fmt === 'json') {
        io.out(
          `${JSON.stringify({ file, ok: code === EXIT.ok, errors, warnings, documents: titles, diagnostics: found.map(diagnosticJson), deviations }, null, 2)}\n`,
        );
        return code;
      }
      for (const d of found) io.err(`${formatDiagnostic(d)}\n`);
      if (errors) io.err(`共 ${errors} 个错误${warnings ? `、${warnings} 个警告` : ''}。\n`);
      else
        io.out(
          `${file}：检查通过（${titles.join('、')}${warnings ? `，${warnings} 个警告` : ''}）\n`,
        );
      return code;
    }
    case 'init': {
      const { positionals } = parseCommand('init', rest);
      if (positionals.length > 1)
        throw new UsageError('init 只接受一个文件夹参数，例如：tenderkit init 投标工作区', 'init');
      const { initWorkspace } = await import('../workspace/init.js');
      const r = initWorkspace(positionals[0] ?? '.');
      for (const f of r.written) io.out(`${f}\n`);
      io.err(r.summary);
      return EXIT.ok;
    }
    case 'info': {
      const { values, positionals } = parseCommand('info', rest);
      if (positionals.length > 1)
        throw new UsageError(
          'info 最多接受一个投标参数文件，例如：tenderkit info bids/示例投标.yaml',
          'info',
        );
      const fmt = values.format ?? 'text';
      if (fmt !== 'text' && fmt !== 'json')
        throw new UsageError(`info --format 只能是 text 或 json，收到“${fmt}”`, 'info');
      const { workspaceInfo, infoText } = await import('../workspace/info.js');
      const info = workspaceInfo({ workspace: values.workspace, file: positionals[0] });
      io.out(fmt === 'json' ? `${JSON.stringify(info, null, 2)}\n` : infoText(info));
      return EXIT.ok;
    }
    case 'clauses':
      return (await import('./clauses.js')).runClauses(rest, io);
    case 'explain':
      return (await import('./explain.js')).runExplain(rest, io);
    case 'migrate':
      return (await import('./migrate.js')).runMigrate(rest, io);
    case 'users':
      return (await import('./users.js')).runUsers(rest, io);
    case 'audit':
      return (await import('./audit.js')).runAudit(rest, io);
    case 'serve': {
      const { values, positionals } = parseCommand('serve', rest);
      if (positionals.length) throw new UsageError('serve 不接受文件参数', 'serve');
      const port = Number(values.port ?? process.env.PORT ?? 3000);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`端口应为 0–65535 的整数，收到“${values.port}”`, 'serve');
      const ws = await import('../workspace/workspace.js');
      const workspace = ws.discoverWorkspace({ workspace: values.workspace }, 'serve');
      // A server other machines can reach refuses to start without a way to sign in (exit 2).
      const { checkServeAccess } = await import('../auth/serve-check.js');
      const oidc = workspace?.settings.auth?.oidc;
      const access = checkServeAccess({
        host: values.host ?? '127.0.0.1',
        trustProxy: values['trust-proxy'] === true,
        dataDir: values.data ?? 'data',
        sso: Boolean(oidc),
      });
      // A damaged built-in font would make every PDF and download fail (and blame the bid): the
      // server does not start with one (BuiltInFontDamaged, exit 1).
      (await import('../provenance/manifest.js')).fontHashes();
      const { serve } = await import('../server/serve.js');
      await serve(
        {
          port,
          host: values.host ?? '127.0.0.1',
          dataDir: values.data ?? 'data',
          ...(workspace ? { workspace } : {}),
          auth: {
            required: access.required,
            trustProxy: values['trust-proxy'] === true,
            ...(oidc ? { oidc } : {}),
            ...(process.env.TENDERKIT_OIDC_CLIENT_SECRET
              ? { oidcClientSecret: process.env.TENDERKIT_OIDC_CLIENT_SECRET }
              : {}),
          },
        },
        io.out,
      );
      return new Promise<number>(() => {}); // runs until stopped
    }
    case 'verify': {
      const { positionals } = parseCommand('verify', rest);
      if (positionals.length !== 1)
        throw new UsageError(
          'verify 需要且只需要一个输出目录，例如：tenderkit verify out',
          'verify',
        );
      const { verifyBuild } = await import('../provenance/verify.js');
      const r = await verifyBuild(positionals[0]!);
      for (const line of r.ok) io.out(`✓ ${line}\n`);
      if (r.problems.length) throw new TenderKitError(r.problems);
      io.out('复核通过：所有文件均可由记录的输入逐字节重现。\n');
      return EXIT.ok;
    }
    case 'schema': {
      const { values, positionals } = parseCommand('schema', rest);
      if (positionals.length) throw new UsageError('schema 不接受文件参数', 'schema');
      const fmt = values.format ?? 'json';
      if (fmt !== 'json' && fmt !== 'markdown')
        throw new UsageError(`schema --format 只能是 json 或 markdown，收到“${fmt}”`, 'schema');
      const kind = values.for ?? 'bid';
      const { jsonSchemaFor, SCHEMA_KINDS } = await import('../schema/json-schema.js');
      if (!(SCHEMA_KINDS as readonly string[]).includes(kind))
        throw new UsageError(
          `schema --for 只能是 ${SCHEMA_KINDS.join('、')} 之一，收到“${kind}”`,
          'schema',
        );
      const k = kind as (typeof SCHEMA_KINDS)[number];
      if (fmt === 'json') io.out(`${JSON.stringify(jsonSchemaFor(k), null, 2)}\n`);
      else io.out(`${(await import('../schema/reference.js')).fieldReference(k)}\n`);
      return EXIT.ok;
    }
    default:
      throw unknownTopLevel(cmd);
  }
}

let ignoring = false;

/** A finished build's process ignores SIGINT and SIGTERM while it exits (one listener each). */
function ignoreSignalsUntilExit(): void {
  if (ignoring) return;
  ignoring = true;
  process.on('SIGINT', () => {}).on('SIGTERM', () => {});
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof TenderKitError) {
      for (const d of e.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
      const n = e.diagnostics.length;
      io.err(`共 ${n} 个问题${argv[0] === 'build' ? '，未生成任何文件' : ''}。\n`);
      return EXIT.invalid;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const msg = (e as Error).message.replace(/[。？]$/, (c) => (c === '？' ? c : ''));
      const help =
        e instanceof UsageError && e.command ? `tenderkit ${e.command} --help` : 'tenderkit --help';
      io.err(`${msg}${msg.endsWith('？') ? '' : '。'}运行 ${help} 查看用法。 [UsageError]\n`);
      return EXIT.usage;
    }
    io.err(`TenderKit 内部错误：${(e as Error).message}\n请将此信息和投标参数文件发给维护人员。\n`);
    if (process.env.TENDERKIT_DEBUG) io.err(`${(e as Error).stack}\n`);
    return EXIT.internal;
  }
}

/**
 * The writer thread's work, for writers/thread-worker.ts when it runs from the bundle (the bundle's
 * exports are this module's); its modules load when it is called.
 */
export async function runWriterThread(onFirstWrite?: () => void): Promise<void> {
  return (await import('../writers/thread-run.js')).runWriterThread(onFirstWrite);
}
