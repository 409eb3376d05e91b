// Chinese wording of every enumerated value; the schema, the clauses and the form all read from here.

export const documentLabels = {
  'commitment-letter': '售后服务承诺书',
  'service-plan': '售后服务方案',
  'training-plan': '培训方案',
  'deviation-table': '偏离表',
} as const;

export const warrantyStartLabels = {
  'final-acceptance': '项目终验合格之日',
  acceptance: '项目总体验收合格之日',
  'go-live': '系统正式上线运行之日',
  delivery: '货物到货签收之日',
  installation: '安装调试完成之日',
  'equipment-acceptance': '设备验收合格之日',
  completion: '工程竣工验收合格之日',
  'contract-signing': '合同签订之日',
} as const;

export const channelLabels = {
  hotline: '服务热线',
  phone: '电话支持',
  remote: '远程支持',
  onsite: '现场服务',
  email: '电子邮件',
  online: '在线服务平台',
  fax: '传真',
  im: '即时通讯',
  'emergency-team': '应急小组',
} as const;

export const pricingLabels = {
  free: '免费',
  cost: '成本价',
  preferential: '优惠价格',
  reasonable: '合理价格',
  paid: '有偿',
  contract: '合同约定的价格',
  negotiable: '双方协商确定的价格',
} as const;

/** The stages a response tier may commit to, in the order they usually happen. */
export const milestoneLabels = {
  respond: '响应',
  remote: '远程诊断',
  onsite: '到达现场',
  plan: '提交解决方案',
  restore: '恢复运行',
  resolve: '排除故障',
  report: '提交故障报告',
  custom: '其他',
} as const;

/** What a milestone's clock counts from. */
export const clockFromLabels = {
  report: '接到报修',
  arrival: '到达现场',
  previous: '上一环节完成',
} as const;

/** What the bidder does free of charge during the warranty. */
export const freeServiceLabels = {
  troubleshooting: '故障排除',
  'defect-fixes': '软件缺陷修正',
  maintenance: '系统运行维护',
  consultation: '技术咨询',
  upgrades: '软件版本升级',
  parts: '零部件更换',
  labour: '维修人工',
  travel: '人员差旅费',
} as const;

export const exclusionLabels = {
  'out-of-period': '超出质保期限的',
  misuse: '因使用不当或违规操作造成损坏的',
  environment: '因使用环境不符合要求造成损坏的',
  'unauthorised-repair': '未经我方同意，由第三方擅自拆修、改动造成损坏的',
  'non-standard': '使用非标准配件或擅自安装非配套软件造成故障的',
  'force-majeure': '因地震、火灾、水灾、雷击等不可抗力造成损坏的',
} as const;

export const trainingMethodLabels = {
  'on-site': '现场培训',
  classroom: '集中授课',
  'hands-on': '上机实操',
  'go-live': '上线跟班培训',
  remote: '远程培训',
} as const;

export const materialLabels = {
  'user-manual': '用户操作手册',
  'admin-manual': '系统管理员手册',
  'install-guide': '安装部署手册',
  'maintenance-guide': '运行维护手册',
  slides: '培训课件',
  videos: '操作视频',
} as const;
