// The one place for the command line's usage texts: every command, its options and its help, and
// the parsing that turns a mistyped command or option into a Chinese usage error.
// Imports nothing heavy, so `--help` and a usage error answer without loading the renderers.
import { parseArgs } from 'node:util';
import { TOP_COMMANDS } from './commands.js';

/** A mistake in how a command was called (exit code 2). `command` names the help to point to. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder for the value in the help, `DIR`. */
  readonly value?: string;
  readonly text: string;
}

interface CommandSpec {
  /** The call, after `tenderkit `: `build <bid.yaml> [--out DIR] …`. */
  readonly synopsis: string;
  /** What it does, one or more lines (shown in the overview and in the command's help). */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
}

const DRAFTS = {
  type: 'boolean',
  text: '允许使用未批准的条款草稿，此时每页都带“草稿 / DRAFT”标记',
} as const satisfies OptionSpec;

const WORKSPACE = {
  type: 'string',
  short: 'w',
  value: 'DIR',
  text: '使用 DIR 中的工作区（含 tenderkit.yaml）；不给时从投标文件（或当前文件夹）向上查找，找不到则用内置条款库',
} as const satisfies OptionSpec;

const DATA = {
  type: 'string',
  short: 'd',
  value: 'DIR',
  text: '网页服务的数据目录（与 serve --data 相同），默认 data/',
} as const satisfies OptionSpec;

export const COMMANDS = {
  init: {
    synopsis: 'init [DIR]',
    summary:
      '在 DIR（默认当前文件夹）新建公司工作区：tenderkit.yaml（工作区设置）、company.yaml（公司资料）、\n' +
      'library/（内置条款库和模板的副本，含全部历史，归公司所有）、bids/（一份使用公司资料的示例投标）、\n' +
      '.vscode/settings.json 与 .tenderkit/schemas/（编辑器校验）、README.md 和 .gitignore。\n' +
      '不覆盖任何已有文件：目标文件已存在时什么也不写，退出码为 2',
    options: {},
  },
  info: {
    synopsis: 'info [bid.yaml] [--workspace DIR] [--format text|json]',
    summary:
      '显示当前使用的工作区、设置文件、条款库（条款数）、公司资料、字体和 TenderKit 版本；\n' +
      '给出投标文件时，按该文件所在位置查找工作区，并显示它使用的公司资料',
    options: {
      workspace: WORKSPACE,
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
    },
  },
  build: {
    synopsis:
      'build <bid.yaml> [--out DIR] [--format docx,pdf,html] [--drafts] [--workspace DIR] [--pdfa] [--clean-metadata]',
    summary:
      '生成投标参数文件中列出的每份文件（默认 docx 和 pdf），写入 DIR（默认 out/）；\n' +
      '--drafts 允许使用未批准的条款草稿，此时每页都带“草稿 / DRAFT”标记。\n' +
      '全部文件生成成功后才一次性放入 DIR，并删除上次构建（manifest.json）记录而本次不再生成的文件；\n' +
      '任何一步失败时 DIR 保持原样',
    options: {
      out: {
        type: 'string',
        short: 'o',
        value: 'DIR',
        text: '输出目录，默认 out/，不存在时自动创建',
      },
      format: {
        type: 'string',
        short: 'f',
        value: '格式',
        text: 'docx、pdf、html 中的一个或多个，用逗号分隔，默认 docx,pdf',
      },
      drafts: DRAFTS,
      workspace: WORKSPACE,
      pdfa: {
        type: 'boolean',
        text: 'PDF 按 PDF/A-2b 生成（长期存档格式，部分电子招投标平台要求）：PDF 1.7、XMP 元数据、sRGB 输出意图、嵌入字体',
      },
      'clean-metadata': {
        type: 'boolean',
        text: 'Word 和 PDF 的文件属性中不写工具版本、投标参数哈希和条款清单（这些仍记在 manifest.json 中，verify 照常核对）',
      },
    },
  },
  lint: {
    synopsis: 'lint <bid.yaml> [--format text|json] [--strict] [--drafts] [--workspace DIR]',
    summary:
      '检查投标参数文件（含招标要求偏离）并试渲染所有文件，不写出任何文件；\n' +
      '有错误时退出码为 1，仅有警告时为 0（加 --strict 时为 1）',
    options: {
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      strict: { type: 'boolean', text: '有警告时退出码也为 1' },
      drafts: DRAFTS,
      workspace: WORKSPACE,
    },
  },
  explain: {
    synopsis: 'explain <bid.yaml> [--format text|json|markdown] [--drafts] [--workspace DIR]',
    summary:
      '承诺清单：逐行列出文件将作出的每一项承诺（内容、写在哪些文件、出自哪个条款版本、\n' +
      '投标参数文件第几行）；本投标自拟的其他承诺标明“未经条款库审核”。投标参数有错误时\n' +
      '列出错误位置，退出码为 1',
    options: {
      format: {
        type: 'string',
        short: 'f',
        value: 'text|json|markdown',
        text: '输出格式，默认 text',
      },
      drafts: DRAFTS,
      workspace: WORKSPACE,
    },
  },
  migrate: {
    synopsis: 'migrate <bid.yaml> [--out FILE] [--dry-run]',
    summary:
      '把第 1 版投标参数文件转换为第 2 版（保留注释），默认原地改写（--out 另存为 FILE）；\n' +
      '--dry-run 只把转换结果打印到标准输出，不写任何文件。列出旧版默认承诺（现已写入文件，\n' +
      '请逐条核对）和无法转换的内容；转换结果仍有问题时照样写出，但退出码为 1',
    options: {
      out: { type: 'string', short: 'o', value: 'FILE', text: '另存为 FILE，不改动原文件' },
      'dry-run': { type: 'boolean', text: '只打印转换结果，不写任何文件' },
    },
  },
  verify: {
    synopsis: 'verify <输出目录>',
    summary:
      '按 manifest.json 记录的输入（投标文件、招标要求、工作区设置、公司资料、条款库）重新生成，\n' +
      '逐字节核对每个输出文件；记录的工作区设置或公司资料已改动时逐一报告；\n' +
      '输出目录中有构建记录之外的文件、或记录本身有误时也报告，退出码为 1',
    options: {},
  },
  serve: {
    synopsis: 'serve [--port N] [--data DIR] [--host ADDR] [--trust-proxy] [--workspace DIR]',
    summary:
      '启动网页表单（默认 http://127.0.0.1:3000/，投标保存在 DIR，默认 data/）；\n' +
      '数据目录中有账户（tenderkit users add）或配置了单点登录时，须登录后使用',
    options: {
      port: {
        type: 'string',
        short: 'p',
        value: 'N',
        text: '端口，0–65535，默认取环境变量 PORT，再默认 3000',
      },
      data: { type: 'string', short: 'd', value: 'DIR', text: '保存投标的文件夹，默认 data/' },
      host: {
        type: 'string',
        value: 'ADDR',
        text: '监听地址，默认 127.0.0.1（仅本机）；非本机地址（如 0.0.0.0）须先用 tenderkit users add 创建账户',
      },
      'trust-proxy': {
        type: 'boolean',
        text: '在反向代理之后运行：客户端地址取 X-Forwarded-For，HTTPS 取 X-Forwarded-Proto（须先创建账户）',
      },
      workspace: WORKSPACE,
    },
  },
  schema: {
    synopsis: 'schema [--for bid|tender|company|workspace] [--format json|markdown]',
    summary:
      '输出投标参数文件（bid）、招标要求文件（tender）、公司资料（company）或工作区设置（workspace）\n' +
      '的 JSON Schema（draft 2020-12，中文标题和说明，供编辑器补全和检查），或 Markdown 字段说明',
    options: {
      for: {
        type: 'string',
        value: 'bid|tender|company|workspace',
        text: '哪一种文件，默认 bid',
      },
      format: { type: 'string', short: 'f', value: 'json|markdown', text: '输出格式，默认 json' },
    },
  },
  'clauses list': {
    synopsis: 'clauses list [--format json]',
    summary: '列出条款库中的全部条款、版本和状态',
    options: {
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'clauses show': {
    synopsis: 'clauses show <条款编号> [版本号] [--format json]',
    summary: '显示某条款的某个版本（默认为投标使用的版本）',
    options: {
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'clauses diff': {
    synopsis: 'clauses diff <条款编号> <旧版本> <新版本> [--out 修订对照.docx|.pdf|.html]',
    summary:
      '比较两个版本；写出带修订痕迹的 Word 文件（或 PDF、HTML）。\n' +
      '只给一个版本号时，与它所基于的版本（basedOn，没有时为前一版）比较',
    options: {
      out: {
        type: 'string',
        short: 'o',
        value: 'FILE',
        text: '写出修订对照文件，格式由扩展名 .docx、.pdf 或 .html 决定；不给时打印到终端',
      },
      workspace: WORKSPACE,
    },
  },
  'clauses usage': {
    synopsis: 'clauses usage <条款编号> <文件夹> [--format json]',
    summary: '列出文件夹中每份投标参数文件使用该条款的哪个版本',
    options: {
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'clauses lint': {
    synopsis: 'clauses lint',
    summary:
      '检查条款库：每个版本可解析、引用的字段都存在、已批准版本能用每个示例渲染、复审到期、模板未引用停用条款',
    options: { workspace: WORKSPACE },
  },
  'clauses new': {
    synopsis:
      'clauses new <条款编号> --title 标题 --body-file 文件 --author 姓名 [--description 说明] [--note 说明] [--workspace DIR]',
    summary:
      '在工作区条款库中新建条款 <条款编号>.yaml，第 1 版为草稿（正文取自文件）；\n' +
      '编号已存在、正文无法解析或 clauses lint 不通过（如写死时限）时拒绝。内置条款库只读',
    options: {
      title: {
        type: 'string',
        value: '标题',
        text: '条款标题（不超过 40 字），模板要求标题时用作小标题',
      },
      'body-file': {
        type: 'string',
        value: '文件',
        text: '正文文件（UTF-8，nunjucks 模板 + Markdown 子集）',
      },
      author: { type: 'string', value: '姓名', text: '起草人' },
      description: { type: 'string', value: '说明', text: '条款用途（给法务看，不打印）' },
      note: { type: 'string', value: '说明', text: '版本说明，默认“初版。”' },
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'clauses new-version': {
    synopsis:
      'clauses new-version <条款编号> [--from N] --body-file 文件 --author 姓名 [--note 说明] [--format json] [--workspace DIR]',
    summary:
      '为条款新增一个草稿版本（版本号 = 现有最大版本号 + 1），在标准输出打印版本号\n' +
      '（--format json 时为 {"id":…,"version":N}）；--from N 记下所基于的版本（basedOn），\n' +
      '不给时为当前使用的已批准版本，clauses diff 据此对照修改',
    options: {
      from: { type: 'string', value: 'N', text: '所基于的版本号' },
      'body-file': { type: 'string', value: '文件', text: '新正文文件（UTF-8）' },
      author: { type: 'string', value: '姓名', text: '起草人' },
      note: { type: 'string', value: '说明', text: '修改说明' },
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'clauses approve': {
    synopsis: 'clauses approve <条款编号> <版本号> --by 姓名 [--note 意见] [--workspace DIR]',
    summary:
      '批准一个草稿：记下批准人、批准日期（今天）和正文的 SHA-256。批准人不得是作者；\n' +
      '批准后正文即被封存：改动已批准正文的条款库，build、lint、verify 一律拒绝',
    options: {
      by: { type: 'string', value: '姓名', text: '批准人（不得是该版本的作者）' },
      note: { type: 'string', value: '意见', text: '批准意见' },
      workspace: WORKSPACE,
    },
  },
  'clauses retire': {
    synopsis: 'clauses retire <条款编号> <版本号> --reason 理由 [--workspace DIR]',
    summary: '停用一个版本，记下停用日期（今天）和理由；此后锁定该版本的投标无法生成',
    options: {
      reason: { type: 'string', value: '理由', text: '停用理由' },
      workspace: WORKSPACE,
    },
  },
  'clauses upgrade': {
    synopsis: 'clauses upgrade [--format json] [--workspace DIR]',
    summary:
      '把 TenderKit 内置条款库中较新的已批准版本作为草稿导入工作区条款库（记下 upstream 版本号）；\n' +
      '工作区没有的内置条款新建文件。从不改动或重编号本公司已有的版本，重复运行不会重复导入',
    options: {
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
      workspace: WORKSPACE,
    },
  },
  'users add': {
    synopsis: 'users add <用户名> --role sales|manager|legal|admin [--display 姓名] [--data DIR]',
    summary:
      '新建网页版账户。密码在终端上输入两次（不显示）；不在终端时从标准输入读两行（密码，再输入一次）。\n' +
      '密码至少 10 个字符；只保存 scrypt 哈希（users.yaml，权限 0600）。角色：sales 销售（自己的投标）、\n' +
      'manager 投标经理（全部投标、定稿）、legal 法务（条款库、查看投标）、admin 系统管理员（账户、审计日志）',
    options: {
      role: { type: 'string', value: '角色', text: 'sales、manager、legal 或 admin' },
      display: { type: 'string', value: '姓名', text: '页面和审计日志中显示的姓名（可用中文）' },
      data: DATA,
    },
  },
  'users list': {
    synopsis: 'users list [--data DIR] [--format text|json]',
    summary: '列出账户：用户名、姓名、角色、是否停用、创建和修改密码的时间（从不显示密码哈希）',
    options: {
      data: DATA,
      format: { type: 'string', short: 'f', value: 'text|json', text: '输出格式，默认 text' },
    },
  },
  'users disable': {
    synopsis: 'users disable <用户名> [--data DIR]',
    summary: '停用账户：不能再登录，已登录的会话在下一次请求时结束',
    options: { data: DATA },
  },
  'users enable': {
    synopsis: 'users enable <用户名> [--data DIR]',
    summary: '重新启用停用的账户',
    options: { data: DATA },
  },
  'users passwd': {
    synopsis: 'users passwd <用户名> [--data DIR]',
    summary: '修改账户的密码（输入方式同 users add）；该账户已登录的会话随之结束',
    options: { data: DATA },
  },
  'audit verify': {
    synopsis: 'audit verify [--data DIR]',
    summary:
      '逐条核对审计日志（audit.log）的哈希链：任何一条记录被改动、插入或删除时，\n' +
      '指出第一条不符的记录所在的行号，退出码为 1',
    options: { data: DATA },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** Top-level commands, in the order the overview lists them (their own module: see commands.ts). */
export { TOP_COMMANDS };

export const CLAUSES_SUBCOMMANDS = [
  'list',
  'show',
  'diff',
  'usage',
  'lint',
  'new',
  'new-version',
  'approve',
  'retire',
  'upgrade',
] as const;

export const USERS_SUBCOMMANDS = ['add', 'list', 'disable', 'enable', 'passwd'] as const;
export const AUDIT_SUBCOMMANDS = ['verify'] as const;

/** Commands made of sub-commands, with what the group is for. */
const GROUPS: Readonly<Record<string, { subs: readonly string[]; text: string }>> = {
  clauses: {
    subs: CLAUSES_SUBCOMMANDS,
    text: '条款库（经法务审核、带版本的条款）的查询、检查与修订（修订只在公司工作区中进行）',
  },
  users: { subs: USERS_SUBCOMMANDS, text: '网页版的账户（保存在数据目录的 users.yaml 中）' },
  audit: { subs: AUDIT_SUBCOMMANDS, text: '网页版的审计日志（数据目录中的 audit.log）' },
};

const EXIT_CODES = '退出码：0 成功；1 输入有误；2 命令用法错误。';

const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

const entry = (name: CommandName) =>
  `  tenderkit ${COMMANDS[name].synopsis}\n${indent(COMMANDS[name].summary, 6)}`;

const OVERVIEW_ORDER: readonly CommandName[] = [
  'init',
  'info',
  'build',
  'lint',
  'clauses list',
  'clauses show',
  'clauses diff',
  'clauses usage',
  'clauses lint',
  'clauses new',
  'clauses new-version',
  'clauses approve',
  'clauses retire',
  'clauses upgrade',
  'verify',
  'serve',
  'users add',
  'users list',
  'users disable',
  'users enable',
  'users passwd',
  'audit verify',
  'schema',
  'explain',
  'migrate',
];

/** `tenderkit --help`. */
export const HELP = `tenderkit — 投标文件售后服务承诺书与培训方案生成工具

用法：
${OVERVIEW_ORDER.map(entry).join('\n')}
  tenderkit <命令> --help
      显示该命令的用法和选项
  tenderkit --version | --help

${EXIT_CODES}
`;

/** Columns a string takes in a terminal: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = [
    ...Object.entries(options).map(([name, o]) => ({
      flags: `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`,
      text: o.text,
    })),
    { flags: '-h, --help', text: '显示本说明' },
  ];
  const width = Math.max(...rows.map((r) => displayWidth(r.flags))) + 2;
  return rows.map((r) => `  ${r.flags}${' '.repeat(width - displayWidth(r.flags))}${r.text}`);
}

/** `tenderkit build --help`: the call, what it does, each option, the exit codes. */
export function commandHelp(name: CommandName): string {
  const c = COMMANDS[name];
  return `用法：tenderkit ${c.synopsis}

${c.summary}。

选项：
${optionLines(c.options).join('\n')}

${EXIT_CODES}
`.replace(/。。/g, '。');
}

/** `tenderkit clauses --help` (or users, audit): the sub-commands. */
export function clausesHelp(group = 'clauses'): string {
  const g = GROUPS[group]!;
  return `用法：tenderkit ${group} <子命令> …

${g.text}。子命令：
${g.subs.map((s) => entry(`${group} ${s}` as CommandName)).join('\n')}

每个子命令的选项见 tenderkit ${group} <子命令> --help。

${EXIT_CODES}
`;
}

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Edit distance where swapping two neighbouring letters (`biuld`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known word, when it is close enough to be a typo (or a prefix of it). */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.startsWith(w) && w.length >= 2 ? 0.5 : editDistance(w, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= (word.length <= 4 ? 1 : 2) ? best : undefined;
}

/** The usage error for a command or sub-command that does not exist. */
export function unknownCommand(
  word: string,
  known: readonly string[],
  parent?: string,
): UsageError {
  const guess = didYouMean(word, known);
  const what = parent ? ` ${parent} 子命令` : '命令';
  return new UsageError(
    `${word ? `未知的${what}“${word}”` : `缺少${what}`}${guess ? `，是否应为“${guess}”？` : ''}（可用：${known.join('、')}）`,
    parent,
  );
}

type Values<O> = {
  -readonly [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string;
};

/**
 * Parses a command's arguments against its options. Unknown options, a missing value and a value
 * given to a switch are usage errors in Chinese, with the closest option name suggested.
 */
export function parseCommand<N extends CommandName>(
  name: N,
  args: readonly string[],
): { values: Values<(typeof COMMANDS)[N]['options']>; positionals: string[] } {
  const options: Readonly<Record<string, OptionSpec>> = COMMANDS[name].options;
  const config = Object.fromEntries(
    Object.entries(options).map(([k, o]) => [
      k,
      o.short ? { type: o.type, short: o.short } : { type: o.type },
    ]),
  ) as Record<string, { type: 'string' | 'boolean'; short?: string }>;
  const { tokens, positionals } = parseArgs({
    args: [...args],
    options: { ...config, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === 'help') continue;
    const o = options[t.name];
    if (!o) {
      const known = Object.keys(options).map((k) => `--${k}`);
      const guess = didYouMean(t.rawName.replace(/^-+/, ''), Object.keys(options));
      throw new UsageError(
        `${name} 没有选项“${t.rawName}”${guess ? `，是否应为“--${guess}”？` : ''}${known.length ? `（可用：${known.join('、')}）` : `（${name} 不带选项）`}`,
        name,
      );
    }
    if (o.type === 'string') {
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))
        throw new UsageError(
          `选项 --${t.name} 需要一个值，例如 --${t.name} ${o.value ?? '值'}`,
          name,
        );
      values[t.name] = t.value;
    } else {
      if (t.inlineValue)
        throw new UsageError(
          `选项 --${t.name} 是开关，不带值（收到“${t.rawName}=${t.value}”）`,
          name,
        );
      values[t.name] = true;
    }
  }
  return { values: values as Values<(typeof COMMANDS)[N]['options']>, positionals };
}

/**
 * The help `tenderkit <command> … --help` asks for. For `clauses`, the sub-command's help when one
 * is named (a mistyped one is a usage error), else the list of sub-commands.
 */
export function helpFor(command: string, rest: readonly string[]): string {
  const group = Object.prototype.hasOwnProperty.call(GROUPS, command) ? GROUPS[command] : undefined;
  if (!group) return commandHelp(command as CommandName);
  const sub = rest.find((a) => !a.startsWith('-'));
  if (sub === undefined) return clausesHelp(command);
  if (!group.subs.includes(sub)) throw unknownCommand(sub, group.subs, command);
  return commandHelp(`${command} ${sub}` as CommandName);
}

/** `tenderkit biuld`: an unknown top-level command, or an unknown option where a command belongs. */
export function unknownTopLevel(word: string): UsageError {
  if (!word.startsWith('-')) return unknownCommand(word, TOP_COMMANDS);
  const guess = didYouMean(word.replace(/^-+/, ''), ['help', 'version']);
  return new UsageError(
    `tenderkit 没有选项“${word}”${guess ? `，是否应为“--${guess}”？` : ''}（命令之前只能写 --help 或 --version）`,
  );
}
