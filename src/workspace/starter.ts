// The text of the files `tenderkit init` writes (other than the library copy and the schemas):
// tenderkit.yaml, company.yaml, the starter bid, the team's README and .gitignore. User-facing
// text is Chinese. The starter bid must build and lint clean with the profile (a test checks).

/** The starter bid, relative to the workspace. */
export const STARTER_BID = 'bids/示例投标.yaml';

const modeline = (schema: string) => `# yaml-language-server: $schema=${schema}\n`;

export function settingsYaml(schema: string): string {
  return `${modeline(schema)}# TenderKit 工作区设置。本文件所在的文件夹就是工作区：其中的投标文件使用这里的
# 条款库、公司资料和版式（tenderkit 从投标文件所在文件夹向上查找本文件）。
version: 1
name: 示例信息技术有限公司投标工作区

# 投标文件没有写 company 时使用的公司资料（相对于本文件夹）。删去这一行则不使用公司资料。
company: company.yaml

# 公司自己的条款库和文档模板：clauses/ 与 templates/（由 tenderkit init 从内置条款库复制，
# 含全部历史版本，此后归公司所有，由法务维护）。
library: library

# 版式：不写则使用内置版式（正文宋体小四、标题黑体；PDF 嵌入思源宋体、思源黑体）。例如：
# style:
#   fonts:
#     body: { chinese: 仿宋, pdf: fonts/仿宋.ttf }   # 工作区中的 .ttf/.otf/.ttc 文件嵌入 PDF（.ttc 另写 pdfFace）
#   sizes: { body: 小四, heading1: 四号 }
#   lineSpacing: 1.5
#   margins: 25mm
#   header: { text: 示例信息技术有限公司 }
#   footer: 第 {page} 页 共 {pages} 页
`;
}

export function companyYaml(schema: string): string {
  return `${modeline(schema)}# 公司资料：每份投标都要用到的公司信息，请把示例内容改为贵公司的真实信息。
#
# 如何用于投标：
# - 投标人信息（bidder）和默认落款（signature）自动用于工作区中的每份投标：投标文件没写的
#   字段取这里的值，写了的以投标文件为准（逐字段合并；列表整体取用，不与投标文件的列表拼接）。
# - 标准服务渠道（service.channels）是承诺，只有投标文件写了 service.standardChannels: true
#   才写入承诺书：修改本文件不会让已有投标凭空多出承诺。
# - 人员库（roster）只是名单池，投标文件用 staff.rosterFrom: [张伟, li-na] 按姓名或编号选人。
bidder:
  name: 示例信息技术有限公司
  legalRepresentative: 王建国
  address: 示例市高新区科技路 1 号
  hotline: 400-800-0000
  email: service@example.com
  complaintPhone: 010-6000-0000

# 默认签字人；落款日期每份投标自己写（signature.date）。
signature:
  signer: 王建国
  signerTitle: 法定代表人

# 公司标准服务渠道：投标文件写 service.standardChannels: true 时使用。
service:
  channels:
    - { kind: hotline, detail: 400-800-0000, hours: 7x24 }
    - { kind: email, detail: service@example.com, answerWithin: 24小时 }
    - { kind: remote, requiresConsent: true }
    - { kind: onsite }

# 人员库：投标文件按姓名或编号（id）选人，选中的人依次排在该投标人员配置名单的前面。
roster:
  - { id: zhang-wei, name: 张伟, phone: 138-0000-0001, role: 项目经理 }
  - { id: li-na, name: 李娜, phone: 138-0000-0002, role: 运维工程师 }
  - { id: zhao-lei, name: 赵磊, phone: 138-0000-0003, role: 运维工程师 }
`;
}

export function starterBid(schema: string, date: string): string {
  return `${modeline(schema)}# 示例投标：使用公司资料的完整投标。新建投标时复制本文件（保留第一行，编辑器据此检查），
# 再按招标文件修改。每一项承诺都写在本文件里：没写的内容，文件里就不承诺。
version: 2

# 投标人（名称、地址、服务热线……）和签字人取自公司资料：默认是 tenderkit.yaml 中 company
# 指定的 company.yaml；也可以在这里指定另一份（相对于本文件，须在工作区内），例如：
# company: ../company.yaml
# 本文件写了的字段以本文件为准，例如写 bidder: { hotline: 0755-0000-0000 } 只替换热线。

tenderee:
  name: 示例市人民医院
project:
  name: 示例市人民医院信息系统运维服务项目

warranty:
  components:
    - { name: 应用软件, period: 1年 }
  start: acceptance

staff:
  committedCount: 2
  rosterFrom: [张伟, li-na]        # 从公司人员库选人：姓名或编号

service:
  hours: 7x24
  standardChannels: true           # 服务渠道使用公司资料中的标准服务渠道

responseTiers:
  - name: 紧急故障
    definition: 系统无法使用或核心业务中断。
    milestones:
      - { kind: respond, within: 30分钟, from: report }
      - { kind: onsite, within: 4小时, from: report }
  - name: 一般故障
    definition: 部分功能异常，业务仍可办理。
    milestones:
      - { kind: respond, within: 2小时, from: report }
      - { kind: resolve, within: 3个工作日, from: report }

signature:
  date: ${date}
`;
}

export function gitignore(): string {
  return 'out/\n';
}

export function readme(): string {
  return `# 投标工作区

本文件夹是公司的 TenderKit 投标工作区：公司自己的条款库和文档模板、公司资料、版式设置和
各次投标都在这里，建议用 Git 管理（生成的文件在 \`out/\`，不纳入版本管理）。

| 文件 | 内容 | 谁维护 |
|---|---|---|
| \`tenderkit.yaml\` | 工作区设置：默认公司资料、条款库位置、版式 | 投标办公室 |
| \`company.yaml\` | 公司资料：投标人信息、默认签字人、标准服务渠道、人员库 | 投标办公室 |
| \`library/clauses/\` | 条款库：每个条款一个文件，含全部历史版本和批准记录 | 法务 |
| \`library/templates/\` | 文档模板：每份文件由哪些条款按什么顺序组成 | 法务 |
| \`bids/\` | 投标参数文件，每次投标一份（可放在子文件夹中，连同招标要求文件） | 销售 / 投标 |
| \`.tenderkit/schemas/\` | 编辑器用的 JSON Schema（由 \`tenderkit init\` 生成） | 不需手改 |
| \`.vscode/settings.json\` | VS Code 的 YAML 检查设置 | 不需手改 |

在工作区的任何位置运行 \`tenderkit\`，它会从投标文件（或当前文件夹）向上找到
\`tenderkit.yaml\`，使用这里的条款库、公司资料和版式；也可以用 \`--workspace 文件夹\` 指定。
\`tenderkit info\` 显示当前使用的是哪个工作区、条款库、公司资料和字体。

## 第一次使用

1. 打开 \`company.yaml\`，把示例内容改成贵公司的真实信息：投标人全称（与公章一致）、
   地址、服务热线、默认签字人、标准服务渠道、人员库。
2. 检查并生成示例投标：

   \`\`\`sh
   tenderkit lint bids/示例投标.yaml
   tenderkit build bids/示例投标.yaml --out out/示例投标
   \`\`\`

   \`out/示例投标/\` 中是 Word 和 PDF 格式的《售后服务承诺书》《售后服务方案》，以及
   \`manifest.json\`（构建记录）。

## 每次投标

1. 复制 \`bids/示例投标.yaml\`，按招标文件修改（保留第一行，编辑器据此检查字段）。
   有招标要求文件时放在同一文件夹，在投标文件中写 \`tender: { file: 招标要求.yaml }\`，
   同时生成偏离表。
2. \`tenderkit lint bids/某项目.yaml\`：检查所有错误，不写任何文件。错误会指出文件和行号
   （公司资料中的错误指向 \`company.yaml\`）。
3. \`tenderkit explain bids/某项目.yaml\`：承诺清单，逐行列出文件将作出的每一项承诺，
   以及每个取值来自投标文件还是公司资料（带文件名和行号）。交法务或负责人审核。
4. \`tenderkit build bids/某项目.yaml --out out/某项目\`：生成文件。
5. 盖章前 \`tenderkit verify out/某项目\`：按构建记录重新生成并逐字节核对；投标文件、
   公司资料、工作区设置或条款在构建后被改动时，会逐一指出。

## 公司资料如何用于投标

- **投标人信息和落款自动合并**：投标文件没写的字段取 \`company.yaml\` 的值，写了的以投标
  文件为准，逐字段合并。例如投标文件写 \`bidder: { hotline: 0755-0000-0000 }\`，只有热线
  换成这个号码，公司名称、地址仍取公司资料。
- **列表整体取用，不拼接**：取自公司资料的列表（例如服务渠道）整份使用；投标文件写了自己的
  列表，就完全使用投标文件的。
- **服务渠道是承诺，须明确引用**：只有投标文件写了 \`service.standardChannels: true\`，
  公司资料中的 \`service.channels\` 才写入承诺书（这时投标文件不再写 \`channels\`）。
  修改 \`company.yaml\` 不会让没有引用它的投标多出承诺。
- **人员库按名选人**：\`staff.rosterFrom: [张伟, li-na]\` 按姓名或编号（\`id\`）从人员库中
  选人，依次排在该投标 \`staff.roster\`（投标自己写的人员）之前。写了人员库中没有的名字、
  或同名无法区分时报错，并指出投标文件中的位置。
- **另用一份公司资料**：投标文件写 \`company: ../其他公司资料.yaml\`（相对于投标文件，
  必须在工作区内，不能是指向工作区外的链接）。

## 条款库（法务）

\`library/\` 是内置条款库的副本，含全部历史版本，现在归公司所有：

\`\`\`sh
tenderkit clauses list                      # 条款、版本、状态
tenderkit clauses show warranty-period      # 某条款当前使用的版本
tenderkit clauses diff warranty-period 1 2 --out 修订对照.docx
tenderkit clauses new-version warranty-period --body-file 新措辞.txt --author 张三   # 提出新版本（草稿）
tenderkit clauses approve warranty-period 3 --by 李四（法务部）                       # 由作者以外的人批准
tenderkit clauses lint                      # 检查整个条款库
\`\`\`

投标只使用已批准的版本；草稿只能加 \`--drafts\` 生成，且每页带“草稿”标记。已批准的正文
不得再改：要改措辞请提出新版本。

## 版式

在 \`tenderkit.yaml\` 的 \`style:\` 中设置字体、字号、行距、页边距、页眉和页脚（见该文件中的
注释示例）。同一设置同时用于 Word、PDF 和网页预览；字体和徽标文件须放在工作区内。

## 编辑器

用 VS Code 打开本文件夹，安装 Red Hat 的 “YAML” 扩展（redhat.vscode-yaml）：编辑
\`tenderkit.yaml\`、\`company.yaml\` 和 \`bids/\` 中的文件时，字段名会自动补全，
鼠标悬停显示中文说明，填错类型会立即标出。新文件请保留（或复制）示例文件的第一行
\`# yaml-language-server: $schema=…\`。最终以 \`tenderkit lint\` 的检查结果为准。
`;
}
