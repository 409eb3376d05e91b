// Chinese numerals, money and dates for documents; numerals come from nzh (tested below).
import nzh from 'nzh';

function checkInt(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${what}: expected a non-negative integer, got ${n}`);
}

/** 十二, 一百零五 (lower-case Chinese numerals for counts and headings). */
export function cnLower(n: number): string {
  checkInt(n, 'cnLower');
  return nzh.cn.encodeS(n);
}

/** 壹拾贰, 叁拾陆 (financial upper-case numerals, as formal letters write periods). */
export function cnUpper(n: number): string {
  checkInt(n, 'cnUpper');
  return nzh.cn.encodeB(n);
}

/** Integer fen → 人民币伍仟元整 / 人民币壹万零伍元伍角 (the form a contract writes amounts in). */
export function rmbUpper(fen: number): string {
  checkInt(fen, 'rmbUpper');
  const yuan = Math.floor(fen / 100);
  const rest = fen % 100;
  // nzh only appends 整 when the string has no decimals.
  const s = rest ? `${yuan}.${String(rest).padStart(2, '0')}` : `${yuan}`;
  const out = nzh.cn.toMoney(s, { outSymbol: true });
  return fen === 0 ? '人民币零元整' : out;
}

/** Integer fen → 5,000.00 元. */
export function rmbFigures(fen: number): string {
  checkInt(fen, 'rmbFigures');
  // Thousands separators as en-US writes them, without toLocaleString (loading ICU's number
  // formatting costs ~15 ms per process).
  const yuan = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${yuan}.${String(fen % 100).padStart(2, '0')}元`;
}

/** `2026-11-22` → 2026年11月22日. */
export function cnDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`cnDate: expected YYYY-MM-DD, got ${iso}`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** Months as a formal period: 12 → 壹年, 18 → 壹拾捌个月, 60 → 伍年. */
export function periodUpper(months: number): string {
  checkInt(months, 'periodUpper');
  return months % 12 === 0 ? `${cnUpper(months / 12)}年` : `${cnUpper(months)}个月`;
}

/** Minutes as a plain duration: 30 → 30分钟, 120 → 2小时, 90 → 90分钟. */
export function minutesText(min: number): string {
  checkInt(min, 'minutesText');
  return min >= 60 && min % 60 === 0 ? `${min / 60}小时` : `${min}分钟`;
}

/** Hours as a plain duration: 2 → 2小时, 0.5 → 30分钟. */
export function hoursText(h: number): string {
  if (!(h > 0) || !Number.isFinite(h))
    throw new RangeError(`hoursText: expected positive hours, got ${h}`);
  return Number.isInteger(h) ? `${h}小时` : `${Math.round(h * 60)}分钟`;
}
