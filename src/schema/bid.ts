// The bid parameter schema: validation, TypeScript types, defaults and Chinese labels in one place.
import { z } from 'zod';
import {
  bool,
  choice,
  date,
  duration,
  frequency,
  hours,
  int,
  money,
  percent,
  serviceHours,
  text,
} from './fields.js';
import {
  channelLabels,
  clockFromLabels,
  documentLabels,
  exclusionLabels,
  freeServiceLabels,
  materialLabels,
  milestoneLabels,
  pricingLabels,
  trainingMethodLabels,
  warrantyStartLabels,
} from './labels.js';

/**
 * Bumped whenever a field changes meaning; recorded in build manifests. Version 2: the bid file is
 * the complete list of commitments (no default promises anything), durations with units, staged
 * response milestones, warranty components, service levels.
 */
export const SCHEMA_VERSION = 2;

/** Time limits (响应、到场…): a length, 立即, 协商确定, or separate 工作日/节假日 limits. */
const limit = (label: string, help?: string) =>
  duration(
    {
      label,
      help: help ?? '例如“30分钟”“2小时”“1个工作日”“立即”“协商确定”',
    },
    ['amount', 'immediate', 'negotiable', 'split'],
  );

/** Periods (质保期…): a length or 终身. */
const period = (label: string, help?: string) =>
  duration(
    { label, help: help ?? '例如“12个月”“3年”“终身”' },
    ['amount', 'lifetime'],
    ['day', 'week', 'month', 'year'],
  );

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
    legalRepresentative: text({ label: '法定代表人' }).optional(),
    address: text({ label: '售后服务机构地址' }).optional(),
    hotline: phone('服务热线').optional(),
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

export const warrantyComponentSchema = z
  .strictObject({
    name: text({ label: '质保对象', help: '例如“应用软件”“平台软件”“硬件设备”“本项目”' }, 40),
    period: period('质保期'),
    start: choice(warrantyStartLabels, {
      label: '起算',
      help: '不填则使用“质保期起算”；两处都不填时文件不写起算日',
    }).optional(),
    replacement: period('包换期', '期内出现质量问题免费更换新品，例如“3个月”').optional(),
    repair: period('包修期', '期内免费维修，例如“1年”').optional(),
    onsite: period('免费上门服务期', '期内免费上门服务，例如“1年”').optional(),
  })
  .meta({ label: '质保对象' });

export const warrantySchema = z
  .strictObject({
    components: z
      .array(warrantyComponentSchema)
      .min(1)
      .max(10)
      .meta({ label: '质保期', help: '每个对象一项：软件、硬件、平台等各自的质保期' }),
    start: choice(warrantyStartLabels, {
      label: '质保期起算',
      help: '质保期从哪一天开始计算',
    }).optional(),
    overall: period(
      '整体质保期',
      '招标文件或承诺中笼统表述的项目质保期；各对象的质保期均不得短于它',
    ).optional(),
    freeServices: z
      .array(choice(freeServiceLabels, { label: '质保期内免费服务' }))
      .max(8)
      .optional()
      .meta({ label: '质保期内免费服务', help: '质保期内不收费的服务项目；不填则文件不列举' }),
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
      { label: '承诺服务人员数', help: '为本项目配备的技术服务人员人数；不填则文件不写人数' },
      1,
      500,
    ).optional(),
    fullTime: bool({ label: '专职服务' }).optional(),
    formalEmployees: bool({ label: '均为正式员工' }).optional(),
    minTenureYears: int(
      { label: '最短任职年限（年）', help: '在本单位任职不少于几年' },
      1,
      40,
    ).optional(),
    minExperienceYears: int({ label: '最短运维经验（年）' }, 1, 40).optional(),
    localEngineers: int({ label: '本地工程师人数' }, 1, 500).optional(),
    residentEngineers: int(
      { label: '驻场工程师人数', help: '常驻用户现场的工程师人数' },
      1,
      100,
    ).optional(),
    stableTeam: bool({
      label: '服务团队保持稳定',
      help: '承诺服务期内人员稳定，调整须提前书面告知并由同等资历人员接替',
    }).optional(),
    roster: z.array(rosterEntrySchema).max(200).default([]).meta({ label: '人员配置名单' }),
    rosterFrom: z
      .array(text({ label: '姓名或编号' }, 40))
      .min(1)
      .max(200)
      .optional()
      .meta({
        label: '取自公司人员库',
        help: '按姓名或编号从公司资料（company.yaml）的人员库中选人，依次排在人员配置名单之前',
      }),
  })
  .meta({ label: '服务人员' });

const channelKind = choice(channelLabels, { label: '服务方式' });

export const channelSchema = z
  .strictObject({
    kind: channelKind,
    detail: text({ label: '说明', help: '号码、地址或补充说明' }, 120).optional(),
    hours: serviceHours({
      label: '服务时间',
      help: '这一渠道自己的服务时间，例如“工作日 8:00-18:00”',
    }).optional(),
    answerWithin: limit('答复时限', '例如热线“30分钟”、邮件“24小时”').optional(),
    requiresConsent: bool({
      label: '须经用户同意',
      help: '远程登录等操作须事先取得用户许可',
    }).optional(),
  })
  .meta({ label: '服务渠道' });

export const availabilitySchema = z
  .strictObject({
    metric: text({ label: '指标名称', help: '例如“设备开机率”“设备完好率”“系统可用率”' }, 30),
    percent: percent({ label: '不低于（%）' }),
  })
  .meta({ label: '可用性指标' });

export const reportSchema = z
  .strictObject({
    name: text({ label: '报告名称', help: '例如“运行维护报告”' }, 40),
    every: frequency({ label: '提交频次' }),
  })
  .meta({ label: '定期报告' });

export const serviceSchema = z
  .strictObject({
    hours: serviceHours({
      label: '服务时间',
      help: '例如“7x24”“工作日 8:00-18:00”“每天 8:00-24:00”“工作日每天8小时”',
    }).optional(),
    channels: z.array(channelSchema).min(1).max(10).optional().meta({ label: '服务渠道' }),
    standardChannels: bool({
      label: '使用公司标准服务渠道',
      help: '服务渠道取公司资料（company.yaml）中的 service.channels；不能再同时填写服务渠道',
    }).optional(),
    escalation: z.array(channelKind).min(2).max(7).optional().meta({
      label: '升级顺序',
      help: '故障未能解决时逐级升级的服务方式，按先后排列',
      // Order matters: the web form edits it as an ordered list (上移/下移), not checkboxes.
      ordered: true,
    }),
    consultationClosure: z
      .strictObject({
        percent: percent({ label: '办结比例（%）' }),
        within: limit('办结时限'),
      })
      .optional()
      .meta({ label: '咨询办结', help: '例如 90% 的咨询 7 日内办结' }),
    availability: z.array(availabilitySchema).max(5).optional().meta({ label: '可用性指标' }),
    inspections: frequency({ label: '巡检频次', help: '例如“每季度”“每年4次”' }).optional(),
    inspectionReport: bool({ label: '巡检后提交报告' }).optional(),
    visitsFirstYear: frequency({ label: '第一年回访频次' }).optional(),
    visitsFrom: choice(warrantyStartLabels, {
      label: '第一年回访起算',
      help: '“首年”从哪一天算起；不填则文件只写“首年内”，不写起算日',
    }).optional(),
    visitsLater: frequency({ label: '此后回访频次' }).optional(),
    reports: z.array(reportSchema).max(5).optional().meta({ label: '定期报告' }),
    routinePeriod: choice(
      { warranty: '质保期内', contract: '合同期内' },
      {
        label: '巡检、回访和报告的期间',
        help: '巡检、回访和定期报告在什么期间内提供；不填则文件只写频次，不写期间',
      },
    ).optional(),
    upgradeNotice: bool({
      label: '新版本通知',
      help: '软件有新版本时通知用户，用户需要时提供升级',
    }).optional(),
    freeUpgrades: z
      .strictObject({
        period: period('免费升级期限'),
        start: choice(warrantyStartLabels, { label: '起算' }).optional(),
      })
      .optional()
      .meta({ label: '免费升级' }),
  })
  .meta({ label: '服务方式' });

const milestoneKind = choice(milestoneLabels, { label: '环节' });

export const milestoneCaseSchema = z
  .strictObject({
    when: text(
      {
        label: '适用情形',
        help: '地区、时段、季节或设备来源，例如“太原市区”“工作日 8:00-18:00”“进口设备”',
      },
      40,
    ),
    within: limit('时限'),
  })
  .meta({ label: '分情形时限' });

export const fallbackSchema = z
  .strictObject({
    kind: milestoneKind,
    label: text({ label: '环节名称', help: '环节选“其他”时必填' }, 30).optional(),
    within: limit('时限'),
  })
  .meta({ label: '未达成时的补救', help: '如在时限内未能完成，则在另一时限内完成的事项' });

export const milestoneSchema = z
  .strictObject({
    kind: milestoneKind,
    label: text(
      { label: '环节名称', help: '环节选“其他”时必填；其他环节可改写默认名称' },
      30,
    ).optional(),
    within: limit('时限').optional(),
    cases: z.array(milestoneCaseSchema).min(2).max(8).optional().meta({
      label: '分情形时限',
      help: '不同地区、时段、季节或设备来源的时限不同时逐项填写，代替“时限”',
    }),
    from: choice(clockFromLabels, {
      label: '起算',
      help: '时限从何时起算；不填时文件不写起算点（规则检查按“接到报修”起算）',
    }).optional(),
    performer: text(
      { label: '执行人员', help: '例如“本地工程师”“原厂工程师”“开发人员”' },
      30,
    ).optional(),
    excludesTravel: bool({
      label: '不含路途时间',
      help: '时限不含前往现场的路途时间时选“是”',
    }).optional(),
    fallback: fallbackSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.kind === 'custom' && !m.label)
      ctx.addIssue({ code: 'custom', path: ['label'], message: '自定义环节须写环节名称 label' });
    if (m.within && m.cases)
      ctx.addIssue({ code: 'custom', path: ['cases'], message: '“时限”和“分情形时限”只能写一个' });
    if (!m.within && !m.cases && m.kind !== 'report')
      ctx.addIssue({
        code: 'custom',
        path: ['within'],
        message: '请写时限（within），或分情形时限（cases）',
      });
    if (m.fallback?.kind === 'custom' && !m.fallback.label)
      ctx.addIssue({
        code: 'custom',
        path: ['fallback', 'label'],
        message: '自定义环节须写环节名称 label',
      });
  })
  .meta({ label: '处理环节' });

/** Clock starts that make sense: nothing before the first step, no arrival before arriving. */
function milestoneClocks(
  list: readonly { kind: string; from?: string }[],
  ctx: z.RefinementCtx,
  base: (string | number)[] = ['milestones'],
): void {
  list.forEach((m, i) => {
    if (m.from === 'previous' && i === 0)
      ctx.addIssue({
        code: 'custom',
        path: [...base, i, 'from'],
        message: '第一个环节前面没有环节，不能从“上一环节完成”起算',
      });
    if (m.from === 'arrival' && ['respond', 'remote', 'onsite'].includes(m.kind))
      ctx.addIssue({
        code: 'custom',
        path: [...base, i, 'from'],
        message: '响应、远程诊断和到场环节不能从“到达现场”起算',
      });
  });
}

export const responseTierSchema = z
  .strictObject({
    name: text({ label: '故障等级名称', help: '例如“A类问题”“严重故障”' }, 30),
    definition: text(
      { label: '等级定义', help: '什么情况属于这一等级', multiline: true },
      400,
    ).optional(),
    negotiable: z
      .literal(true)
      .optional()
      .meta({ label: '整体协商确定', help: '这一等级的时限由双方协商确定，不写具体环节' }),
    milestones: z.array(milestoneSchema).min(1).max(10).optional().meta({
      label: '处理环节',
      help: '按发生顺序：响应、到达现场、提交方案、恢复运行、排除故障……',
    }),
  })
  .superRefine((t, ctx) => {
    milestoneClocks(t.milestones ?? [], ctx);
    if (t.negotiable && t.milestones)
      ctx.addIssue({
        code: 'custom',
        path: ['milestones'],
        message: '整体协商确定的等级不写处理环节',
      });
    if (!t.negotiable && !t.milestones)
      ctx.addIssue({
        code: 'custom',
        path: ['milestones'],
        message: '请写处理环节（milestones），或写 negotiable: true 表示整体协商确定',
      });
  })
  .meta({ label: '故障响应等级' });

export const afterWarrantySchema = z
  .strictObject({
    pricing: choice(pricingLabels, { label: '收费方式' }).optional(),
    pricingPeriod: period('按此收费的期限', '例如“3年”').optional(),
    annualFeeCap: money({
      label: '年度维护费上限（元）',
      help: '质保期满后的年度维护费不超过此数',
    }).optional(),
    freePhoneConsultation: bool({ label: '继续免费电话咨询' }).optional(),
    freePhoneConsultationPeriod: period(
      '免费电话咨询期限',
      '质保期满后继续免费电话咨询的期限，例如“3年”“终身”；不填则文件不写期限',
    ).optional(),
    repairTurnaround: limit('返厂维修时限', '例如“20个工作日”').optional(),
    lifetimeSupport: bool({ label: '终身技术支持' }).optional(),
    milestones: z
      .array(milestoneSchema)
      .min(1)
      .max(10)
      .optional()
      .meta({ label: '质保期外响应', help: '质保期外报修时的响应、到场等时限' }),
  })
  .superRefine((w, ctx) => milestoneClocks(w.milestones ?? [], ctx))
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
    }).optional(),
    repeatVisitLimit: int(
      { label: '同一问题服务次数上限', help: '同一问题保证在几次服务以内彻底解决' },
      2,
      10,
    ).optional(),
    items: z.array(penaltyItemSchema).max(30).optional().meta({ label: '违约处罚条目' }),
  })
  .meta({ label: '违约处罚' });

export const exclusionsSchema = z
  .strictObject({
    standard: z
      .array(choice(exclusionLabels, { label: '常见不保修情形' }))
      .max(6)
      .optional()
      .meta({ label: '常见不保修情形' }),
    extra: z
      .array(text({ label: '其他不保修情形' }, 200))
      .max(20)
      .optional()
      .meta({ label: '其他不保修情形' }),
    assistAtCost: bool({
      label: '例外情形仍协助处理（收费）',
      help: '例外情形下仍协助处理，按质保期外标准收费',
    }).optional(),
  })
  .meta({ label: '不保修情形' });

export const audienceSchema = z
  .strictObject({
    id: id('对象编号'),
    name: text({ label: '培训对象', help: '例如“系统管理员”“操作员”' }, 40),
    goal: text({ label: '培训目标', multiline: true }, 300).optional(),
    count: int({ label: '人数' }, 1, 10_000).optional(),
  })
  .meta({ label: '培训对象' });

export const moduleSchema = z
  .strictObject({
    id: id('模块编号'),
    title: text({ label: '培训模块' }, 60),
    content: text({ label: '培训内容', multiline: true }, 400).optional(),
    audiences: z.array(z.string()).min(1).optional().meta({ label: '培训对象编号' }),
    hours: hours({ label: '课时（学时）' }, 1000).optional(),
    method: choice(trainingMethodLabels, { label: '培训方式' }).optional(),
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
    modules: z.array(moduleSchema).max(60).default([]).meta({ label: '培训模块' }),
    trainers: z.array(trainerSchema).max(30).default([]).meta({ label: '培训讲师' }),
    location: text({ label: '培训地点' }, 100).optional(),
    timing: text({ label: '培训时间', help: '例如“系统验收合格后 10 个工作日内”' }, 100).optional(),
    schedule: z.array(scheduleEntrySchema).max(60).default([]).meta({ label: '培训日程' }),
    materials: z
      .array(choice(materialLabels, { label: '培训资料' }))
      .max(6)
      .optional()
      .meta({ label: '培训资料' }),
    materialsInChinese: bool({ label: '培训资料为中文' }).optional(),
    traineeCount: int({ label: '受训人数' }, 1, 10_000).optional(),
    personWeeks: z
      .number()
      .positive()
      .max(10_000)
      .refine((n) => Number.isInteger(n * 2), { message: '应为 0.5 的整数倍' })
      .optional()
      .meta({ label: '培训人周数', help: '招标文件按“人×周”计算培训量时填写，例如 10' }),
    totalHours: hours({
      label: '总课时（学时）',
      help: '招标文件规定总课时时填写，须与各模块课时之和一致',
    }).optional(),
    freeOfCharge: bool({ label: '免费培训' }).optional(),
    assessment: bool({ label: '培训后考核', help: '每个模块结束后考核并书面反馈' }).optional(),
    remedialTraining: bool({
      label: '考核未达标免费补训',
      help: '考核未达到要求的人员免费补充培训',
    }).optional(),
    confirmation: bool({
      label: '方案经甲方确认后实施',
      help: '培训前细化方案并经甲方书面确认',
    }).optional(),
  })
  .meta({ label: '培训' });

export const qualitySchema = z
  .strictObject({
    standards: z
      .array(text({ label: '遵循的规范' }, 40))
      .min(1)
      .max(10)
      .optional()
      .meta({ label: '遵循的规范', help: '实施和维护过程遵循的质量规范，例如“ISO9001”“CMMI”' }),
    documentation: bool({
      label: '提供完整文档',
      help: '提供完整的书面和电子版项目文档（管理、设计、操作说明）',
    }).optional(),
    chineseDocuments: bool({ label: '文档为中文' }).optional(),
    confidentiality: bool({
      label: '保密',
      help: '项目中获知的信息和数据，未经用户书面同意不向第三方披露',
    }).optional(),
  })
  .meta({ label: '质量与保密' });

export const extraCommitmentSchema = z
  .strictObject({
    title: text({ label: '承诺标题' }, 40),
    body: text(
      {
        label: '承诺内容',
        help: '本投标专门作出的承诺，未经条款库审核；可用段落、列表和加粗',
        multiline: true,
      },
      2000,
    ),
    tenderItem: text({ label: '对应招标条目号' }, 30).optional(),
  })
  .meta({ label: '其他承诺' });

export const signatureSchema = z
  .strictObject({
    signer: text({ label: '签字人', help: '法定代表人或其委托代理人姓名' }, 40),
    signerTitle: text({ label: '签字人身份' }, 40).default('法定代表人'),
    date: date({ label: '落款日期', help: '文件落款日期，也用作文件元数据中的日期' }),
    typedName: bool({
      label: '打印签字人姓名',
      help: '在“法定代表人或其委托代理人（签字）”一行打印签字人姓名；默认留空，由本人手写签字',
    }).optional(),
    tendereeConfirmation: bool({
      label: '培训方案附甲方确认栏',
      help: '在培训方案末尾加“甲方确认（盖章）”栏；仅在招标文件要求时使用',
    }).optional(),
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
    period: period('备品备件保障期限', '保证提供备品备件的期限，例如“5年”').optional(),
    loaner: bool({ label: '维修期间提供备用设备' }).optional(),
    loanerFree: bool({
      label: '备用设备免费提供',
      help: '维修期间提供的备用设备不向甲方收费时选“是”；须同时选择“维修期间提供备用设备”',
    }).optional(),
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
    team: bool({
      label: '组建应急小组',
      help: '为本项目组建应急小组；写了人数时可不填',
    }).optional(),
    teamSize: int({ label: '应急小组人数' }, 1, 200).optional(),
    drills: frequency({ label: '应急演练频次', help: '例如“每半年”' }).optional(),
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
    version: z.literal(SCHEMA_VERSION).meta({
      label: '参数格式版本',
      help: '固定写 2；旧版（1）文件请用 tenderkit migrate 转换',
    }),
    documents: z.array(documentId).min(1).optional().meta({
      label: '生成文件',
      help: '不填时生成承诺书和售后服务方案，填写了培训时加培训方案，有招标要求文件时加偏离表',
    }),
    company: z
      .string()
      .regex(/^(?!\/)(?!.*(?:^|\/)\.(?:\/|$))[\w\u4e00-\u9fff.\-/]*\.ya?ml$/u, {
        message: '应为 .yaml 文件的相对路径（相对于本文件所在文件夹），例如 ../company.yaml',
      })
      .optional()
      .meta({
        label: '公司资料文件',
        help: '相对于本文件所在文件夹，例如 ../company.yaml，须在工作区内；不写时使用 tenderkit.yaml 中的默认公司资料',
      }),
    tenderee: tendereeSchema,
    bidder: bidderSchema,
    project: projectSchema,
    warranty: warrantySchema.optional(),
    staff: staffSchema.optional(),
    service: serviceSchema.optional(),
    responseTiers: z
      .array(responseTierSchema)
      .min(1)
      .max(10)
      .optional()
      .meta({ label: '故障响应等级', help: '按严重程度从高到低排列' }),
    afterWarranty: afterWarrantySchema.optional(),
    spares: sparesSchema.optional(),
    emergency: emergencySchema.optional(),
    penalties: penaltiesSchema.optional(),
    exclusions: exclusionsSchema.optional(),
    training: trainingSchema.optional(),
    quality: qualitySchema.optional(),
    extraCommitments: z.array(extraCommitmentSchema).max(20).optional().meta({
      label: '其他承诺',
      help: '条款库之外、本投标专门作出的承诺；单独成节，并在清单中标明未经法务审核',
    }),
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

/** The top-level sections that hold commitments; every one is optional. */
export const COMMITMENT_SECTIONS = [
  'warranty',
  'staff',
  'service',
  'responseTiers',
  'afterWarranty',
  'spares',
  'emergency',
  'penalties',
  'exclusions',
  'training',
  'quality',
  'extraCommitments',
] as const satisfies readonly (keyof typeof bidSchema.shape)[];

export type BidInput = z.input<typeof bidSchema>;
export type BidParams = z.output<typeof bidSchema>;
export type DocumentId = keyof typeof documentLabels;
export type ResponseTier = NonNullable<BidParams['responseTiers']>[number];
export type Milestone = NonNullable<ResponseTier['milestones']>[number];

/**
 * The documents a bid produces: as listed, or the letter and the plan plus the 培训方案 when the bid
 * fills in training; a bid that names a tender file always gets the 偏离表.
 */
export function documentsOf(bid: BidParams): DocumentId[] {
  const ids: DocumentId[] = bid.documents
    ? [...bid.documents]
    : ['commitment-letter', 'service-plan', ...(bid.training ? (['training-plan'] as const) : [])];
  if (bid.tender && !ids.includes('deviation-table')) ids.push('deviation-table');
  return ids;
}
