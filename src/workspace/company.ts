// The company profile (company.yaml): facts about the bidding company that every bid would
// otherwise retype — its name, address and hotline, the default signer, its standard service
// channels and a pool of staff that bids pick people from. Merging it into a bid is in merge.ts.
import { z } from 'zod';
import { bidderSchema, channelSchema, rosterEntrySchema, signatureSchema } from '../schema/bid.js';
import { text } from '../schema/fields.js';

/** The file `tenderkit init` writes and tenderkit.yaml names by default. */
export const COMPANY_FILE = 'company.yaml';

const personId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, {
    message: '编号只能由小写字母、数字和连字符组成，且以字母开头',
  })
  .meta({ label: '人员编号', help: '投标文件按编号或姓名引用此人，例如 zhang-wei' });

/** One person in the company's roster pool: a roster entry of the bid, plus an id to refer to. */
export const poolPersonSchema = z
  .strictObject({
    id: personId.optional(),
    ...rosterEntrySchema.shape,
  })
  .meta({ label: '人员' });

export const companyProfileSchema = z
  .strictObject({
    bidder: bidderSchema.meta({
      label: '投标人',
      help: '投标单位的基本信息；投标文件未写的字段取这里的值',
    }),
    signature: z
      .strictObject({
        signer: signatureSchema.shape.signer,
        signerTitle: text(
          { label: '签字人身份', help: '例如“法定代表人”“授权代表”' },
          40,
        ).optional(),
      })
      .optional()
      .meta({
        label: '默认落款',
        help: '默认签字人；落款日期每份投标自己写',
      }),
    service: z
      .strictObject({
        channels: z.array(channelSchema).min(1).max(10).meta({
          label: '公司标准服务渠道',
          help: '只有投标文件写了 service.standardChannels: true 时才写入承诺书',
        }),
      })
      .optional()
      .meta({ label: '公司标准服务' }),
    roster: z.array(poolPersonSchema).max(500).optional().meta({
      label: '人员库',
      help: '投标文件用 staff.rosterFrom 按姓名或编号选人，选中的人才写入人员配置名单',
    }),
  })
  .superRefine((p, ctx) => {
    const seen = new Map<string, number>();
    p.roster?.forEach((person, i) => {
      if (person.id === undefined) return;
      if (seen.has(person.id))
        ctx.addIssue({
          code: 'custom',
          path: ['roster', i, 'id'],
          message: `人员编号“${person.id}”与第 ${seen.get(person.id)! + 1} 人重复`,
        });
      else seen.set(person.id, i);
    });
  })
  .meta({ label: '公司资料' });

export type CompanyProfile = z.output<typeof companyProfileSchema>;
export type PoolPerson = z.output<typeof poolPersonSchema>;
