// Password hashes: scrypt from node:crypto with a random 16-byte salt per hash and explicit cost
// parameters, stored in PHC string form (`$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, base64 without
// padding). The cost is stored with each hash, so raising the default later leaves old hashes
// verifiable. Verification runs on libuv's thread pool and compares in constant time.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N = 2^ln, block size r, parallelism p. */
export interface ScryptCost {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's recommendation for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, about 0.4 s here). */
export const DEFAULT_COST: ScryptCost = { ln: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds on a stored cost: a hand-edited file cannot make one sign-in take a gigabyte. */
const MAX_MEMORY = 256 * 2 ** 20;

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 200;

const PHC_RE =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;
export const PHC_PATTERN = PHC_RE;

const memoryOf = (c: ScryptCost) => 128 * c.r * 2 ** c.ln * c.p;

export function checkCost(c: ScryptCost): void {
  if (
    !Number.isInteger(c.ln) ||
    !Number.isInteger(c.r) ||
    !Number.isInteger(c.p) ||
    c.ln < 10 ||
    c.ln > 20 ||
    c.r < 1 ||
    c.r > 32 ||
    c.p < 1 ||
    c.p > 16 ||
    memoryOf(c) > MAX_MEMORY
  )
    throw new Error(`scrypt cost out of bounds: ln=${c.ln}, r=${c.r}, p=${c.p}`);
}

function scrypt(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  checkCost(c);
  return new Promise((resolve, reject) =>
    scryptCb(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N: 2 ** c.ln, r: c.r, p: c.p, maxmem: memoryOf(c) * 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** The PHC string of a new hash of `password` (`cost` lower than the default only in tests). */
export async function hashPassword(
  password: string,
  opts: { cost?: ScryptCost } = {},
): Promise<string> {
  const cost = opts.cost ?? DEFAULT_COST;
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

export function parseHash(
  phc: string,
): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const m = PHC_RE.exec(phc);
  if (!m) return undefined;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  try {
    checkCost(cost);
  } catch {
    return undefined;
  }
  return { cost, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

/** True if `password` is the one `phc` was made from. A malformed hash verifies nothing. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const h = parseHash(phc);
  if (!h) return false;
  const key = await scrypt(password, h.salt, h.cost);
  return timingSafeEqual(key, h.key);
}

/**
 * The same work as verifying against a real hash of cost `cost`, with nothing to match: for a
 * user name that has no account, so the answer takes as long as for one that has.
 */
export async function dummyVerify(password: string, cost: ScryptCost): Promise<false> {
  const key = await scrypt(password, DUMMY_SALT, cost);
  timingSafeEqual(key, DUMMY_KEY);
  return false;
}
const DUMMY_SALT = randomBytes(SALT_BYTES);
const DUMMY_KEY = randomBytes(KEY_BYTES);

/** Why a new password is refused (in Chinese), or undefined if it is acceptable. */
export function passwordProblem(password: string, name: string): string | undefined {
  const length = [...password.normalize('NFC')].length;
  if (length < MIN_PASSWORD) return `密码太短：至少 ${MIN_PASSWORD} 个字符（现为 ${length} 个）`;
  if (length > MAX_PASSWORD) return `密码太长：最多 ${MAX_PASSWORD} 个字符`;
  if (password.trim() !== password) return '密码的开头和结尾不能是空格';
  if (password.toLowerCase().includes(name.toLowerCase()) && name.length >= 3)
    return '密码不能包含用户名';
  if (new Set(password).size < 4) return '密码至少要由 4 个不同的字符组成';
  return undefined;
}
