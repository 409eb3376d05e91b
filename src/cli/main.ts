// The `tenderkit` command: build, lint and schema. User mistakes print located messages, no stacks.
import { parseArgs } from 'node:util';
import { buildBid, cleanTempFiles, renderChecked, writeFiles } from '../build.js';
import { formatDiagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { catalogue } from '../diagnostics/catalogue.js';
import type { Deviation } from '../checks/deviations.js';
import { locatedIn, prepareBid } from '../load/prepare.js';
import { verifyBuild } from '../provenance/verify.js';
import { toolVersion } from '../provenance/manifest.js';
import { runClauses, UsageError, type Io } from './clauses.js';
import { MIGRATE_HELP, runMigrate } from './migrate.js';
import { EXPLAIN_HELP, runExplain } from './explain.js';
import { bidJsonSchema, fieldReference } from '../schema/reference.js';
import { findMissingGlyphs } from '../writers/pdf/glyphs.js';
import { FORMATS, type Format } from '../writers/types.js';

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 70 } as const;

const HELP = `tenderkit — 投标文件售后服务承诺书与培训方案生成工具

用法：
  tenderkit build <bid.yaml> [--out DIR] [--format docx,pdf,html] [--drafts]
      生成投标参数文件中列出的每份文件（默认 docx 和 pdf），写入 DIR（默认 out/）；
      --drafts 允许使用未批准的条款草稿，此时每页都带“草稿 / DRAFT”标记
  tenderkit lint <bid.yaml> [--format text|json] [--strict]
      检查投标参数文件（含招标要求偏离）并试渲染所有文件，不写出任何文件；
      有错误时退出码为 1，仅有警告时为 0（加 --strict 时为 1）
  tenderkit clauses list [--format json]
      列出条款库中的全部条款、版本和状态
  tenderkit clauses show <条款编号> [版本号] [--format json]
      显示某条款的某个版本（默认为投标使用的版本）
  tenderkit clauses diff <条款编号> <旧版本> <新版本> [--out 修订对照.docx|.pdf|.html]
      比较两个版本；写出带修订痕迹的 Word 文件（或 PDF、HTML）
  tenderkit clauses usage <条款编号> <文件夹> [--format json]
      列出文件夹中每份投标参数文件使用该条款的哪个版本
  tenderkit clauses lint
      检查条款库：每个版本可解析、引用的字段都存在、已批准版本能用每个示例渲染、复审到期、模板未引用停用条款
  tenderkit verify <输出目录>
      按 manifest.json 记录的输入重新生成，逐字节核对每个输出文件
  tenderkit serve [--port N] [--data DIR] [--host ADDR]
      启动网页表单（默认 http://127.0.0.1:3000/，投标保存在 DIR，默认 data/）
  tenderkit schema [--format json|markdown]
      输出投标参数的 JSON Schema（或 Markdown 字段说明）
${EXPLAIN_HELP}
${MIGRATE_HELP}
  tenderkit --version | --help

退出码：0 成功；1 输入有误；2 命令用法错误。
`;

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
    );
  return [...new Set(list)] as Format[];
}

function oneFile(positionals: string[], cmd: string): string {
  if (positionals.length !== 1)
    throw new UsageError(`${cmd} 需要且只需要一个投标参数文件，例如：tenderkit ${cmd} bid.yaml`);
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
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (cmd === '--version' || cmd === '-v') {
    io.out(`${toolVersion()}\n`);
    return EXIT.ok;
  }
  switch (cmd) {
    case 'build': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          out: { type: 'string', short: 'o' },
          format: { type: 'string', short: 'f' },
          drafts: { type: 'boolean' },
        },
      });
      const file = oneFile(positionals, 'build');
      const formats = parseFormats(values.format);
      const outDir = values.out ?? 'out';
      const printWarning = (w: Diagnostic) => io.err(`${formatDiagnostic(w)}\n`);
      const checked = prepareBid(file, printWarning, { allowDrafts: values.drafts });
      cleanTempFiles(outDir);
      const files = await locatedIn(checked, () =>
        buildBid(checked.params, {
          extra: checked.extra,
          provenance: {
            bid: checked.source,
            tender: checked.tenderSource,
            formats,
            drafts: Boolean(values.drafts),
          },
          formats,
          onProgress: (done, total, name) => io.err(`[${done}/${total}] ${name}\n`),
          onWarning: printWarning,
        }),
      );
      const written = writeFiles(outDir, files);
      for (const w of written) io.out(`${w}\n`);
      return EXIT.ok;
    }
    case 'lint': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          format: { type: 'string', short: 'f' },
          strict: { type: 'boolean' },
          drafts: { type: 'boolean' },
        },
      });
      const file = oneFile(positionals, 'lint');
      const fmt = values.format ?? 'text';
      if (fmt !== 'text' && fmt !== 'json')
        throw new UsageError(`lint --format 只能是 text 或 json，收到“${fmt}”`);
      const found: Diagnostic[] = [];
      let titles: string[] = [];
      let deviations: readonly Deviation[] = [];
      try {
        const checked = prepareBid(file, (w) => found.push(w), { allowDrafts: values.drafts });
        deviations = checked.deviations;
        const docs = await locatedIn(checked, () => {
          const rendered = renderChecked(checked.params, {
            extra: checked.extra,
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
    case 'clauses':
      return runClauses(rest, io);
    case 'explain':
      return runExplain(rest, io);
    case 'migrate':
      return runMigrate(rest, io);
    case 'serve': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          port: { type: 'string', short: 'p' },
          data: { type: 'string', short: 'd' },
          host: { type: 'string' },
        },
      });
      if (positionals.length) throw new UsageError('serve 不接受文件参数');
      const port = Number(values.port ?? process.env.PORT ?? 3000);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`端口应为 0–65535 的整数，收到“${values.port}”`);
      const { serve } = await import('../server/serve.js');
      await serve(
        { port, host: values.host ?? '127.0.0.1', dataDir: values.data ?? 'data' },
        io.out,
      );
      return new Promise<number>(() => {}); // runs until stopped
    }
    case 'verify': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1)
        throw new UsageError('verify 需要一个输出目录，例如：tenderkit verify out');
      const r = await verifyBuild(positionals[0]!);
      for (const line of r.ok) io.out(`✓ ${line}\n`);
      if (r.problems.length) throw new TenderKitError(r.problems);
      io.out('复核通过：所有文件均可由记录的输入逐字节重现。\n');
      return EXIT.ok;
    }
    case 'schema': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string', short: 'f' } },
      });
      if (positionals.length) throw new UsageError('schema 不接受文件参数');
      const fmt = values.format ?? 'json';
      if (fmt === 'json') io.out(`${JSON.stringify(bidJsonSchema(), null, 2)}\n`);
      else if (fmt === 'markdown') io.out(`${fieldReference()}\n`);
      else throw new UsageError(`schema --format 只能是 json 或 markdown，收到“${fmt}”`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`未知命令“${cmd}”`);
  }
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
      io.err(`${(e as Error).message}。运行 tenderkit --help 查看用法。 [UsageError]\n`);
      return EXIT.usage;
    }
    io.err(`TenderKit 内部错误：${(e as Error).message}\n请将此信息和投标参数文件发给维护人员。\n`);
    if (process.env.TENDERKIT_DEBUG) io.err(`${(e as Error).stack}\n`);
    return EXIT.internal;
  }
}
