// The one catalogue of user-facing problems: a stable name, a title, and what to do about it.
// Messages say what happened (filled in where the problem is found) and then the hint says what to do.

export const catalogue = {
  FileNotFound: { title: '找不到文件', hint: '请检查文件路径是否正确。' },
  FileUnreadable: { title: '无法读取文件', hint: '请检查文件权限，或确认它是一个普通文件。' },
  FileTooLarge: {
    title: '文件过大',
    hint: 'TenderKit 读取的 YAML 文件和正文文件都不应超过 1 MB：请检查是否选错了文件，或删去文件中多余的内容。',
  },
  NotUtf8: {
    title: '文件不是 UTF-8 编码',
    hint: '请将文件另存为 UTF-8 编码（无 BOM 亦可）后重试。',
  },
  YamlSyntax: { title: 'YAML 语法错误', hint: '请按提示位置修正缩进、引号或冒号。' },
  YamlDuplicateKey: {
    title: '字段重复',
    hint: '同一层级中每个字段只能出现一次，请删除或合并重复的字段。',
  },
  YamlUnsupported: {
    title: '不支持的 YAML 写法',
    hint: '投标参数文件只使用普通 YAML 1.2：不要使用指令（%YAML）、自定义标签（!tag）或多个文档（---）。',
  },
  YamlAliasLimit: {
    title: 'YAML 别名过多',
    hint: '请直接写出取值，不要大量使用锚点（&）和别名（*）。',
  },
  YamlTooDeep: { title: 'YAML 嵌套过深', hint: '投标参数文件只有几层嵌套，请检查文件是否正确。' },
  EmptyFile: {
    title: '文件为空',
    hint: '可从 examples/minimal.yaml 复制必填字段开始填写，或运行 tenderkit init 生成带公司信息的起始文件。',
  },
  SchemaVersionOld: {
    title: '旧版投标参数文件',
    hint: '请先运行 `tenderkit migrate <投标参数文件>` 转换为第 2 版（转换会列出需要核对的承诺）。',
  },
  SchemaVersionUnknown: {
    title: '不支持的参数格式版本',
    hint: '第 2 版文件请写 version: 2；第 1 版文件（没有 version 字段）请用 `tenderkit migrate` 转换。',
  },
  NotV1Bid: {
    title: '不是第 1 版投标参数文件',
    hint: '`tenderkit migrate` 只转换第 1 版投标参数文件，请检查是否选错了文件。',
  },
  UnknownField: {
    title: '未知字段',
    hint: '请检查字段名拼写；所有字段见 `tenderkit schema` 或 README 的字段说明。',
  },
  MissingField: { title: '缺少必填字段', hint: '请补充该字段。' },
  InvalidType: { title: '取值类型错误', hint: '请按字段说明填写正确类型的值。' },
  OutOfRange: { title: '取值超出范围', hint: '请填写允许范围内的值。' },
  InvalidValue: { title: '取值无效', hint: '请按字段说明填写。' },
  InvalidText: {
    title: '文本含有不允许的字符',
    hint: '请删除控制字符或无法显示的字符（常见于从其他软件复制的文本）。',
  },
  ClauseFileInvalid: {
    title: '条款文件无效',
    hint: '请按条款文件格式修正（见 clauses/README.md）。',
  },
  ClauseNotFound: {
    title: '找不到条款',
    hint: '请检查模板中引用的条款编号，或在 clauses/ 中新增该条款。',
  },
  ClauseNoApprovedVersion: {
    title: '条款没有已批准的版本',
    hint: '请由法务批准一个版本后再使用该条款。',
  },
  ClauseVersionUnknown: {
    title: '条款版本不存在',
    hint: '运行 `tenderkit clauses show <条款编号>` 查看该条款的全部版本。',
  },
  ClauseVersionRetired: {
    title: '条款版本已停用',
    hint: '已停用的版本不得再用于投标：请改用已批准的版本。',
  },
  ClauseVersionDraft: {
    title: '条款版本尚未批准',
    hint: '草稿版本只能在加 --drafts 时使用，生成的文件每页都带“草稿”标记。',
  },
  ClauseReviewDue: {
    title: '条款已到复审日期',
    hint: '请法务复审该版本，并更新 reviewBy 或发布新版本。',
  },
  ClauseApprovalBroken: {
    title: '已批准的条款正文被改动',
    hint: '已批准的版本不得修改（停用后也不得修改）：请从版本管理中恢复批准时的原文；要改措辞，请用 `tenderkit clauses new-version` 提出新版本，由作者以外的人用 `tenderkit clauses approve` 批准后使用。在恢复原文之前，`tenderkit clauses` 的修改命令不会改动这个条款库。',
  },
  ClauseTitleChanged: {
    title: '已批准条款的标题被改动',
    hint: '标题印在文件中，随批准生效：请恢复原标题；要改标题，请用 `tenderkit clauses new-version <条款编号> --body-file 正文.md` 提出新版本（正文可以不变），由作者以外的人用 `tenderkit clauses approve` 批准后生效。',
  },
  ClauseApprovalInvalid: {
    title: '条款批准记录无效',
    hint: '批准只能由作者以外的人用 `tenderkit clauses approve` 记录（日期取当天，并记下正文的 SHA-256）：请把该版本改回 draft、删去批准记录后重新批准。',
  },
  ClauseChangeRefused: {
    title: '无法修改条款',
    hint: '运行 `tenderkit clauses show <条款编号>` 查看各版本及其状态。',
  },
  LibraryReadOnly: {
    title: '内置条款库是只读的',
    hint: '请先运行 `tenderkit init` 创建公司工作区（或用 --workspace 指定工作区），再在工作区的 library/clauses 中新增和修改条款。',
  },
  TemplateFileInvalid: {
    title: '文档模板无效',
    hint: '请按模板文件格式修正（见 templates/README.md）。',
  },
  TemplateNotFound: { title: '找不到文档模板', hint: '可用的文档见 `tenderkit build --help`。' },
  ClauseRenderFailed: { title: '条款渲染失败', hint: '请检查条款正文中的模板语法和引用的参数。' },
  MarkdownUnsupported: {
    title: '条款正文使用了不支持的 Markdown 写法',
    hint: '条款正文只支持段落、有序/无序列表、加粗和表格。',
  },
  PlaceholderLeft: {
    title: '输出中残留占位符',
    hint: '文档中不得出现 XX、xx、×× 或下划线空格等占位符：请在投标参数或条款中填写实际内容。',
  },
  BuiltInFontDamaged: {
    title: '内置字体文件已损坏',
    hint: '请重新安装 TenderKit 的依赖（在其目录中运行 npm ci）后再构建：用与发布版本不同的字体文件生成的 PDF 可能看不到文字或排版错乱。',
  },
  MissingGlyph: {
    title: 'PDF 字体缺少字形',
    hint: '该字符无法在 PDF 中显示，请改用常用汉字或标点。',
  },
  HouseStyleInvalid: {
    title: '版式设置无效',
    hint: '请修改 tenderkit.yaml 中的 style 设置：字体和徽标须是工作区内存在的文件（见 README“版式”一节）。',
  },
  RuleViolation: { title: '投标参数前后矛盾', hint: '请按提示修改投标参数。' },
  InconsistentValue: {
    title: '文件之间数值不一致',
    hint: '同一参数在不同文件中必须一致：请检查模板或条款的写法。',
  },
  CommitmentNotStated: {
    title: '承诺未写入任何文件',
    hint: '请在 documents 中加入写到这一节的文件，或删除这一节。',
  },
  HardCodedValue: {
    title: '条款写死了应由参数决定的数值',
    hint: '请在条款中引用投标参数，而不是直接写出数字。',
  },
  WorkspaceInvalid: {
    title: '工作区设置无效',
    hint: '请按提示修正 tenderkit.yaml（格式见 `tenderkit schema --for workspace`，或用 `tenderkit init` 新建的工作区对照）。',
  },
  CompanyFileInvalid: {
    title: '公司资料文件无效',
    hint: '公司资料文件（company.yaml）须在工作区内（tenderkit.yaml 所在文件夹或其子文件夹），不能是指向别处的链接；格式见 `tenderkit schema --for company`。',
  },
  CompanyValueMissing: {
    title: '公司资料中没有所引用的内容',
    hint: '请在公司资料（company.yaml）中补充，或在投标参数文件中直接填写；`tenderkit info` 显示当前使用的公司资料文件。',
  },
  TenderFileInvalid: { title: '招标要求文件无效', hint: '请按招标要求文件格式修正（见 README）。' },
  StarDeviation: {
    title: '★ 实质性条款负偏离',
    hint: '实质性条款负偏离可能导致废标：请修改投标参数满足要求；确需负偏离的，在 tender.acknowledged 中写明条目号和理由。',
  },
  DeviationUndetermined: {
    title: '无法判定偏离',
    hint: '投标的值与招标要求的单位之间没有确定的换算（例如“1个工作日”与“24小时”、“1个月”与“30日”）：请把投标参数改写成可比较的单位，或与招标要求的写法一致。',
  },
  UntracedText: {
    title: '文件中有来源不明的文字',
    hint: '文件中的每一句都必须来自已选用的条款、模板或投标参数：请检查模板和条款。',
  },
  NegativeDeviation: {
    title: '负偏离',
    hint: '请确认该负偏离是有意为之，并在偏离表说明中写清理由。',
  },
  VerifyFailed: {
    title: '复核未通过',
    hint: '文件不是由记录的输入生成的，或输入已改动：请重新构建并重新签章，或查明改动的来源。',
  },
  ManifestInvalid: {
    title: '构建记录无效',
    hint: 'manifest.json 由 tenderkit build 写出，不应手工修改：请重新构建后再复核。',
  },
  AccountsFileInvalid: {
    title: '账户文件无效',
    hint: '账户文件（数据目录中的 users.yaml）由 tenderkit users 命令维护，不应手工修改：请从备份恢复，或改正所指位置后用 tenderkit users list 检查。',
  },
  AccountExists: {
    title: '账户已存在',
    hint: '换一个用户名；要修改该账户的密码请用 tenderkit users passwd，重新启用请用 tenderkit users enable。',
  },
  AccountNotFound: {
    title: '没有这个账户',
    hint: '用 tenderkit users list --data DIR 查看已有账户（注意 --data 是否指向服务使用的数据目录）。',
  },
  PasswordRejected: {
    title: '密码不符合要求',
    hint: '密码至少 10 个字符，不含用户名；从标准输入提供时，第一行是密码，第二行再输入一次。',
  },
  AuditLogBroken: {
    title: '审计日志已被改动',
    hint: '审计日志只能由 TenderKit 追加：所指的记录（或它前面的一条）被修改、插入或删除过。请用备份比对查明改动，并保留现有文件作为证据。',
  },
  AuditLogMissing: {
    title: '没有审计日志',
    hint: '审计日志（audit.log）在启用账户后由服务和 tenderkit users 写入：请检查 --data 是否指向服务使用的数据目录。',
  },
  UsageError: { title: '命令用法错误', hint: '运行 `tenderkit --help` 查看用法。' },
  OutputFailed: { title: '无法写出文件', hint: '请检查输出目录是否可写、磁盘空间是否充足。' },
} as const satisfies Record<string, { title: string; hint: string }>;

export type ProblemName = keyof typeof catalogue;
