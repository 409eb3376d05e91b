// `tenderkit verify <out-dir>`: rebuild from the inputs a manifest records and compare byte for byte.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildBid } from '../build.js';
import { diagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { defaultLibrary, type Library } from '../library/library.js';
import { prepareBid } from '../load/prepare.js';
import { fontHashes, MANIFEST_FILE, sha256, type Manifest } from './manifest.js';

export interface VerifyResult {
  /** One line per check that passed. */
  readonly ok: string[];
  /** Every difference found, each saying exactly what changed. */
  readonly problems: Diagnostic[];
}

/** Index of the first byte where two buffers differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file))
    throw new TenderKitError([
      diagnostic(
        'VerifyFailed',
        `“${dir}”中没有 ${MANIFEST_FILE}，它不是 tenderkit build 的输出目录`,
        { location: { file: dir } },
      ),
    ]);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new TenderKitError([
      diagnostic('VerifyFailed', `${MANIFEST_FILE} 不是有效的 JSON`, { location: { file } }),
    ]);
  }
}

export async function verifyBuild(
  dir: string,
  library: Library = defaultLibrary(),
): Promise<VerifyResult> {
  const m = readManifest(dir);
  const ok: string[] = [];
  const problems: Diagnostic[] = [];
  const problem = (msg: string, file?: string) =>
    problems.push(diagnostic('VerifyFailed', msg, file ? { location: { file } } : {}));

  // Inputs: the bid, the tender file, the clause versions and fonts recorded.
  for (const input of [m.bid, m.tender]) {
    if (!input) continue;
    if (!existsSync(input.path)) {
      problem(`构建所用的文件 ${input.path} 已不存在`);
      continue;
    }
    const now = sha256(readFileSync(input.path));
    if (now === input.sha256) ok.push(`输入文件 ${input.file} 未改动`);
    else
      problem(
        `输入文件已改动：${input.file}（SHA-256 由 ${input.sha256.slice(0, 12)}… 变为 ${now.slice(0, 12)}…）`,
        input.path,
      );
  }
  for (const d of m.documents) {
    for (const u of d.clauses) {
      const v = library.clauses.get(u.id)?.clause.versions.find((x) => x.version === u.version);
      if (!v) problem(`《${d.title}》使用的条款 ${u.id} 第 ${u.version} 版已不在条款库中`);
      else if (sha256(v.body) !== u.bodySha256)
        problem(
          `《${d.title}》使用的条款 ${u.id} 第 ${u.version} 版正文已被改动（已批准的版本不应修改，应发布新版本）`,
          library.clauses.get(u.id)?.file,
        );
    }
  }
  const fonts = new Map(fontHashes().map((f) => [f.name, f.sha256]));
  for (const f of m.fonts)
    if (fonts.get(f.name) !== f.sha256) problem(`字体文件 ${f.name} 与构建时不同`);

  // Rebuild from the recorded inputs, unless they changed (then the rebuild proves nothing).
  let rebuilt: Map<string, Buffer> | undefined;
  if (!problems.length) {
    const prepared = prepareBid(m.bid.path, () => {}, { allowDrafts: m.options.drafts, library });
    // The bid's own commitments (outside the library) against the bid they were recorded from.
    for (const d of m.documents) {
      for (const x of d.extraCommitments ?? []) {
        const i = /^extraCommitments\[(\d+)\]$/.exec(x.origin)?.[1];
        const now = i === undefined ? undefined : prepared.params.extraCommitments?.[Number(i)];
        if (now && sha256(now.body) === x.bodySha256 && now.title === x.title)
          ok.push(
            `《${d.title}》中的其他承诺“${x.title}”（${x.origin}，未经条款库审核）与投标参数一致`,
          );
        else
          problem(
            `《${d.title}》记录的其他承诺“${x.title}”（${x.origin}）与投标参数文件中的不符`,
            m.bid.path,
          );
      }
    }
    const files = await buildBid(prepared.params, {
      formats: m.options.formats,
      extra: prepared.extra,
      library,
      provenance: {
        bid: { file: m.bid.file, sha256: prepared.source.sha256 },
        tender:
          prepared.tenderSource && m.tender
            ? { file: m.tender.file, sha256: prepared.tenderSource.sha256 }
            : undefined,
        formats: m.options.formats,
        drafts: m.options.drafts,
      },
    });
    rebuilt = new Map(files.map((f) => [f.fileName, f.bytes]));
  }

  // Each output on disk against the manifest and against the rebuild.
  for (const d of m.documents) {
    for (const o of d.outputs) {
      const file = path.join(dir, o.file);
      if (!existsSync(file)) {
        problem(`输出文件 ${o.file} 缺失`, file);
        continue;
      }
      const disk = readFileSync(file);
      const again = rebuilt?.get(o.file);
      const at = again ? `，与重新生成的文件从第 ${firstDifference(again, disk)} 字节起不同` : '';
      if (sha256(disk) !== o.sha256) {
        problem(
          `输出文件 ${o.file} 已被改动：SHA-256 与构建记录不符（现 ${disk.length} 字节，记录 ${o.bytes} 字节）${at}`,
          file,
        );
      } else if (rebuilt && !again) {
        problem(`重新生成时没有产生 ${o.file}`, file);
      } else if (again && !again.equals(disk)) {
        problem(`${o.file} 与记录一致，但用记录的输入重新生成的结果不同${at}`, file);
      } else if (again) {
        ok.push(`${o.file} 重新生成后逐字节一致（SHA-256 ${o.sha256.slice(0, 12)}…）`);
      }
    }
  }
  return { ok, problems };
}
