// The workspace settings file (tenderkit.yaml): which company profile bids use by default, where the
// company's clause library is, and the house style. Checked with Zod; mistakes are located.
import { z } from 'zod';
import { text } from '../schema/fields.js';
import { houseStyleSchema } from './style.js';
import { authSettingsSchema } from '../auth/oidc-settings.js';

/** The format version of tenderkit.yaml. */
export const SETTINGS_VERSION = 1;

/** A path inside the workspace, relative to tenderkit.yaml's folder: no absolute path, no `..`. */
const insidePath = (label: string, help: string, yaml: boolean) =>
  z
    .string()
    .regex(
      yaml
        ? /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-/]*\.ya?ml$/u
        : /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-/]*$/u,
      {
        message: yaml
          ? '应为工作区内 .yaml 文件的相对路径（相对于 tenderkit.yaml 所在文件夹），不能含“..”或绝对路径'
          : '应为工作区内文件夹的相对路径（相对于 tenderkit.yaml 所在文件夹），不能含“..”或绝对路径',
      },
    )
    .meta({ label, help });

const buildWorkspaceSettingsSchema = () =>
  z
    .strictObject({
      version: z.literal(SETTINGS_VERSION).meta({
        label: '工作区格式版本',
        help: `固定写 ${SETTINGS_VERSION}`,
      }),
      name: text(
        { label: '工作区名称', help: '例如公司名称；tenderkit info 显示它' },
        80,
      ).optional(),
      company: insidePath(
        '默认公司资料',
        '相对于本文件所在文件夹，例如 company.yaml；投标文件没有写 company 时使用它。不写则投标不使用公司资料',
        true,
      ).optional(),
      library: insidePath(
        '条款库文件夹',
        '相对于本文件所在文件夹，其中有 clauses/ 和 templates/；不写时为 library',
        false,
      ).optional(),
      style: houseStyleSchema().optional(),
      auth: authSettingsSchema().optional(),
    })
    .meta({ label: '工作区设置' });

let settings: ReturnType<typeof buildWorkspaceSettingsSchema> | undefined;

/**
 * The schema of tenderkit.yaml, built on first use: a command run outside a workspace (most
 * `lint` and `build` runs) never builds it.
 */
export function workspaceSettingsSchema(): ReturnType<typeof buildWorkspaceSettingsSchema> {
  return (settings ??= buildWorkspaceSettingsSchema());
}

export type WorkspaceSettings = z.output<ReturnType<typeof buildWorkspaceSettingsSchema>>;
