// The bid parameter schema: validation, TypeScript types, defaults and Chinese labels in one place.
import { z } from 'zod';
import { bool, choice, date, hours, int, money, text } from './fields.js';
import {
  channelLabels,
  coverageLabels,
  documentLabels,
  exclusionLabels,
  materialLabels,
  pricingLabels,
  trainingMethodLabels,
  warrantyStartLabels,
} from './labels.js';

/** Bumped whenever a field changes meaning; recorded in build manifests. */
export const SCHEMA_VERSION = 1;

const id = (label: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, {
      message: '编号只能由小写字母、数字和连字符组成，且以字母开头',
    })
    .meta({ label, help: '供其他字段引用的短编号，如 admin、ops-basic' });

const phone = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^[0-9+\-() ]{3,30}$/, { message: '电话号码只能包含数字、空格、+、- 和括号' })
    .meta({ label });

const email = (label: string) =>
  z.string().trim().email({ message: '不是有效的电子邮箱地址' }).max(120).meta({ label });

export const tendereeSchema = z
  .strictObject({
    name: text({ label: '招标人名称', help: '采购人/业主的全称，承诺书以“致：”开头写给它' }),
  })
  .meta({ label: '招标人' });

export const bidderSchema = z
  .strictObject({
    name: text({ label: '投标人名称', help: '投标单位全称，与公章一致' }),
    legalRepresentative: text({ label: '法定代表人' }),
    address: text({ label: '售后服务机构地址' }),
    hotline: phone('服务热线'),
    email: email('服务邮箱').optional(),
    complaintPhone: phone('投诉电话').optional(),
  })
  .meta({ label: '投标人' });

export const projectSchema = z
  .strictObject({
    name: text({ label: '项目名称' }),
    number: text({ label: '项目编号', help: '招标编号或采购编号' }, 60).optional(),
    tenderTitle: text({
      label: '招标文件名称',
      help: '不含书名号，例如“某某医院信息系统建设项目招标文件”',
    }).optional(),
    publishedOn: date({ label: '招标公告发布日期' }).optional(),
  })
  .meta({ label: '项目' });

export const warrantySchema = z
  .strictObject({
    softwareMonths: int({ label: '软件质保期（月）', help: '软件免费维护期，单位为月' }, 1, 240),
    overallMonths: int(
      {
        label: '整体质保期（月）',
        help: '招标文件或承诺中笼统表述的项目质保期；软件、硬件质保期均不得短于它',
      },
      1,
      240,
    ).optional(),
    hardwareMonths: int(
      { label: '硬件质保期（月）', help: '仅在投标包含硬件时填写' },
      1,
      240,
    ).optional(),
    start: choice(warrantyStartLabels, {
      label: '质保期起算',
      help: '质保期从哪一天开始计算',
    }).default('final-acceptance'),
    lifetimeSupport: bool({ label: '质保期后终身技术支持' }).default(false),
  })
  .meta({ label: '质保期' });

export const rosterEntrySchema = z
  .strictObject({
    name: text({ label: '姓名' }, 40),
    phone: phone('联系电话'),
    role: text({ label: '职务/岗位' }, 60),
    note: text({ label: '备注' }, 100).optional(),
  })
  .meta({ label: '服务人员' });

export const staffSchema = z
  .strictObject({
    committedCount: int(
      { label: '承诺服务人员数', help: '为本项目配备的技术服务人员人数' },
      1,
      500,
    ),
    fullTime: bool({ label: '专职服务' }).default(true),
    formalEmployees: bool({ label: '均为正式员工' }).default(true),
    minTenureYears: int(
      { label: '最短任职年限（年）', help: '在本单位任职不少于几年' },
      1,
      40,
    ).optional(),
    minExperienceYears: int({ label: '最短运维经验（年）' }, 1, 40).optional(),
    residentEngineer: bool({ label: '派驻驻场工程师' }).default(false),
    localEngineers: int({ label: '本地工程师人数' }, 1, 500).optional(),
    roster: z.array(rosterEntrySchema).max(200).default([]).meta({ label: '人员配置名单' }),
  })
  .meta({ label: '服务人员' });

export const coverageSchema = z
  .strictObject({
    mode: choice(coverageLabels, { label: '服务时段' }).default('7x24'),
    hours: text({ label: '值守时间', help: '非 7×24 时填写，例如“8:00–24:00”' }, 40).optional(),
  })
  .meta({ label: '服务时间' });

export const responseTierSchema = z
  .strictObject({
    name: text({ label: '故障等级名称', help: '例如“A类问题”“严重故障”' }, 30),
    definition: text({ label: '等级定义', help: '什么情况属于这一等级', multiline: true }, 400),
    responseMinutes: int(
      { label: '响应时间（分钟）', help: '接到报修后作出响应的时限' },
      1,
      60 * 24 * 30,
    ),
    onsiteHoursLocal: hours({
      label: '本地到场时间（小时）',
      help: '需要现场服务时，市内到达现场的时限',
    }).optional(),
    onsiteHoursRemote: hours({
      label: '外地到场时间（小时）',
      help: '需要从外地派员时到达现场的时限',
    }).optional(),
    resolveHours: hours({
      label: '解决时间（小时）',
      help: '排除故障或提出解决方案的时限；不填表示双方协商',
    }).optional(),
  })
  .meta({ label: '故障响应等级' });

const channelKind = choice(channelLabels, { label: '服务方式' });

export const channelSchema = z
  .strictObject({
    kind: channelKind,
    detail: text({ label: '说明', help: '号码、地址或补充说明' }, 120).optional(),
  })
  .meta({ label: '服务渠道' });

export const serviceSchema = z
  .strictObject({
    coverage: coverageSchema.prefault({}),
    channels: z
      .array(channelSchema)
      .min(1)
      .max(10)
      .default([{ kind: 'hotline' }, { kind: 'remote' }, { kind: 'onsite' }])
      .meta({ label: '服务渠道' }),
    escalation: z
      .array(channelKind)
      .min(1)
      .max(7)
      .default(['phone', 'remote', 'onsite', 'emergency-team'])
      .meta({ label: '升级顺序', help: '故障未能解决时逐级升级的服务方式' }),
    remoteNeedsConsent: bool({ label: '远程登录须经用户同意' }).default(true),
    inspectionIntervalMonths: int({ label: '巡检周期（月）' }, 1, 12).optional(),
    visitFirstYearMonths: int({ label: '第一年回访周期（月）' }, 1, 12).optional(),
    visitLaterMonths: int({ label: '此后回访周期（月）' }, 1, 12).optional(),
    freeUpgradeYears: int({ label: '免费升级年限（年）' }, 1, 20).optional(),
  })
  .meta({ label: '服务方式' });

export const outOfWarrantySchema = z
  .strictObject({
    pricing: choice(pricingLabels, { label: '质保期外收费' }).default('preferential'),
    freePhoneConsultation: bool({ label: '继续免费电话咨询' }).default(true),
    annualFee: money({
      label: '年度维护费（元）',
      help: '质保期满后的年度维护费，不填则另行协商',
    }).optional(),
  })
  .meta({ label: '质保期外服务' });

export const penaltyItemSchema = z
  .strictObject({
    condition: text({ label: '违约情形', multiline: true }, 200),
    measure: text({ label: '处罚措施', multiline: true }, 200),
    amount: money({ label: '违约金（元）' }).optional(),
  })
  .meta({ label: '违约处罚' });

export const penaltiesSchema = z
  .strictObject({
    ownerMayRepairAndDeduct: bool({
      label: '甲方可自行修复并扣款',
      help: '我方未按时处理时，甲方可另请他人修复，费用从合同款中扣除',
    }).default(true),
    repeatVisitLimit: int(
      { label: '同一问题上门次数上限', help: '同一问题上门几次仍未解决即须彻底解决或更换' },
      2,
      10,
    ).optional(),
    items: z.array(penaltyItemSchema).max(30).default([]).meta({ label: '违约处罚条目' }),
  })
  .meta({ label: '违约处罚' });

export const exclusionsSchema = z
  .strictObject({
    standard: z
      .array(choice(exclusionLabels, { label: '常见不保修情形' }))
      .default(['out-of-period', 'misuse', 'unauthorised-repair', 'non-standard', 'force-majeure'])
      .meta({ label: '常见不保修情形' }),
    extra: z
      .array(text({ label: '其他不保修情形' }, 200))
      .max(20)
      .default([])
      .meta({ label: '其他不保修情形' }),
  })
  .meta({ label: '不保修情形' });

export const audienceSchema = z
  .strictObject({
    id: id('对象编号'),
    name: text({ label: '培训对象', help: '例如“系统管理员”“操作员”' }, 40),
    goal: text({ label: '培训目标', multiline: true }, 300),
    count: int({ label: '人数' }, 1, 10_000).optional(),
  })
  .meta({ label: '培训对象' });

export const moduleSchema = z
  .strictObject({
    id: id('模块编号'),
    title: text({ label: '培训模块' }, 60),
    content: text({ label: '培训内容', multiline: true }, 400),
    audiences: z.array(z.string()).min(1).meta({ label: '培训对象编号' }),
    hours: hours({ label: '课时（小时）' }, 1000),
    method: choice(trainingMethodLabels, { label: '培训方式' }),
  })
  .meta({ label: '培训模块' });

export const trainerSchema = z
  .strictObject({
    name: text({ label: '讲师姓名' }, 40).optional(),
    role: text({ label: '讲师身份', help: '例如“项目实施工程师”“原厂工程师”' }, 60),
    qualification: text({ label: '资质与经验' }, 120).optional(),
  })
  .meta({ label: '培训讲师' });

export const scheduleEntrySchema = z
  .strictObject({
    phase: text({ label: '时间安排', help: '例如“系统安装调试期间”“验收后第 1 周”' }, 60),
    modules: z.array(z.string()).min(1).meta({ label: '模块编号' }),
  })
  .meta({ label: '培训日程' });

export const trainingSchema = z
  .strictObject({
    audiences: z.array(audienceSchema).min(1).max(20).meta({ label: '培训对象' }),
    modules: z.array(moduleSchema).min(1).max(60).meta({ label: '培训模块' }),
    trainers: z.array(trainerSchema).min(1).max(30).meta({ label: '培训讲师' }),
    location: text({ label: '培训地点' }, 100),
    timing: text({ label: '培训时间', help: '例如“系统验收合格后 10 个工作日内”' }, 100),
    schedule: z.array(scheduleEntrySchema).max(60).default([]).meta({ label: '培训日程' }),
    materials: z
      .array(choice(materialLabels, { label: '培训资料' }))
      .default(['user-manual', 'admin-manual', 'slides'])
      .meta({ label: '培训资料' }),
    traineeCount: int({ label: '受训人数' }, 1, 10_000).optional(),
    totalHours: hours({
      label: '总课时（小时）',
      help: '招标文件规定总课时时填写，须与各模块课时之和一致',
    }).optional(),
    freeOfCharge: bool({ label: '免费培训' }).default(true),
  })
  .meta({ label: '培训' });

export const signatureSchema = z
  .strictObject({
    signer: text({ label: '签字人', help: '法定代表人或其委托代理人姓名' }, 40),
    signerTitle: text({ label: '签字人身份' }, 40).default('法定代表人'),
    date: date({ label: '落款日期', help: '文件落款日期，也用作文件元数据中的日期' }),
  })
  .meta({ label: '落款' });

export const tenderRefSchema = z
  .strictObject({
    file: z
      .string()
      .regex(/^(?!.*(?:^|\/)\.\.(?:\/|$))[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-/]*\.ya?ml$/u, {
        message: '应为与投标参数文件同一文件夹内的 .yaml 文件相对路径，不能含“..”或绝对路径',
      })
      .meta({ label: '招标要求文件', help: '相对于本文件所在文件夹，例如 tender.yaml' }),
    acknowledged: z
      .array(
        z.strictObject({
          item: text({ label: '条目号' }, 30),
          reason: text({ label: '负偏离说明', multiline: true }, 300),
        }),
      )
      .default([])
      .meta({
        label: '已确认的负偏离',
        help: '对 ★ 条款的负偏离，只有在此写明理由后才允许生成文件',
      }),
  })
  .meta({ label: '招标要求' });

export const sparesSchema = z
  .strictObject({
    years: int(
      { label: '备品备件保障年限（年）', help: '保证提供备品备件的年限' },
      1,
      30,
    ).optional(),
    loaner: bool({ label: '维修期间提供备用设备' }).default(false),
    stock: text({ label: '备件存放地点', help: '例如“江宁市本地备件库”' }, 100).optional(),
  })
  .meta({ label: '备品备件' });

export const riskSchema = z
  .strictObject({
    risk: text({ label: '风险' }, 80),
    impact: text({ label: '影响', multiline: true }, 200),
    measures: text({ label: '应对措施', multiline: true }, 300),
  })
  .meta({ label: '风险' });

export const emergencySchema = z
  .strictObject({
    teamSize: int({ label: '应急小组人数' }, 1, 200).optional(),
    drillIntervalMonths: int({ label: '应急演练周期（月）' }, 1, 24).optional(),
    risks: z
      .array(riskSchema)
      .max(30)
      .default([])
      .meta({ label: '风险分析', help: '风险、影响与应对措施' }),
  })
  .meta({ label: '应急预案' });

const documentId = choice(documentLabels, { label: '生成文件' });

export const bidSchema = z
  .strictObject({
    documents: z
      .array(documentId)
      .min(1)
      .default(['commitment-letter', 'service-plan', 'training-plan'])
      .meta({ label: '生成文件' }),
    tenderee: tendereeSchema,
    bidder: bidderSchema,
    project: projectSchema,
    warranty: warrantySchema,
    staff: staffSchema,
    service: serviceSchema.prefault({}),
    responseTiers: z.array(responseTierSchema).min(1).max(10).meta({ label: '故障响应等级' }),
    outOfWarranty: outOfWarrantySchema.prefault({}),
    spares: sparesSchema.optional(),
    emergency: emergencySchema.optional(),
    penalties: penaltiesSchema.prefault({}),
    exclusions: exclusionsSchema.prefault({}),
    training: trainingSchema.optional(),
    signature: signatureSchema,
    tender: tenderRefSchema.optional(),
    clauseVersions: z
      .record(
        z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,60}$/, { message: '条款编号只能由小写字母、数字和连字符组成' }),
        z.number().int().min(1),
      )
      .default({})
      .meta({ label: '指定条款版本', help: '条款编号: 版本号；不写则使用最新的已批准版本' }),
  })
  .meta({ label: '投标参数' });

export type BidInput = z.input<typeof bidSchema>;
export type BidParams = z.output<typeof bidSchema>;
export type DocumentId = BidParams['documents'][number];
