// The `tenderkit` command: build, lint and schema. User mistakes print located messages, no stacks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildBid, cleanTempFiles, renderChecked, WRITERS, writeFiles } from '../build.js';
import { formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { loadBidFile } from '../load/bid.js';
import { PACKAGE_ROOT } from '../library/library.js';
import { bidJsonSchema, fieldReference } from '../schema/reference.js';
import { findMissingGlyphs } from '../writers/pdf/glyphs.js';
import { FORMATS, type Format } from '../writers/types.js';

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 70 } as const;

const HELP = `tenderkit — 投标文件售后服务承诺书与培训方案生成工具

用法：
  tenderkit build <bid.yaml> [--out DIR] [--format docx,pdf,html]
      生成投标参数文件中列出的每份文件（默认 docx 和 pdf），写入 DIR（默认 out/）
  tenderkit lint <bid.yaml>
      检查投标参数文件并试渲染所有文件，不写出任何文件
  tenderkit schema [--format json|markdown]
      输出投标参数的 JSON Schema（或 Markdown 字段说明）
  tenderkit --version | --help

退出码：0 成功；1 输入有误；2 命令用法错误。
`;

class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

function version(): string {
  return (
    JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

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

function loadOrThrow(file: string, io: Io) {
  const r = loadBidFile(file);
  if (!r.ok) throw new TenderKitError(r.diagnostics);
  for (const w of r.bid.warnings) io.err(`${formatDiagnostic(w)}\n`);
  return r.bid;
}

async function run(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (cmd === '--version' || cmd === '-v') {
    io.out(`${version()}\n`);
    return EXIT.ok;
  }
  switch (cmd) {
    case 'build': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string', short: 'o' }, format: { type: 'string', short: 'f' } },
      });
      const file = oneFile(positionals, 'build');
      const formats = parseFormats(values.format);
      const outDir = values.out ?? 'out';
      const bid = loadOrThrow(file, io);
      cleanTempFiles(outDir);
      const files = await buildBid(bid.params, {
        formats,
        onProgress: (done, total, name) => io.err(`[${done}/${total}] ${name}\n`),
        onWarning: (w) => io.err(`${formatDiagnostic(w)}\n`),
      });
      const written = writeFiles(outDir, files);
      for (const w of written) io.out(`${w}\n`);
      return EXIT.ok;
    }
    case 'lint': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      const file = oneFile(positionals, 'lint');
      const bid = loadOrThrow(file, io);
      let warnings = bid.warnings.length;
      const docs = renderChecked(bid.params, {
        onWarning: (w) => {
          warnings++;
          io.err(`${formatDiagnostic(w)}\n`);
        },
      });
      const glyphs = docs.flatMap(findMissingGlyphs);
      if (glyphs.length) throw new TenderKitError(glyphs);
      const warned = warnings ? `，${warnings} 个警告` : '';
      io.out(`${file}：检查通过（${docs.map((d) => d.meta.title).join('、')}${warned}）\n`);
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
      io.err(`共 ${n} 个问题，未生成任何文件。\n`);
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

export { WRITERS };
