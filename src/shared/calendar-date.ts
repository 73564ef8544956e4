/** 'YYYY-MM-DD' when year, month and day form a real calendar date (no 2003-02-30), else null. */
function calendarDate(year: string, month: string, day: string): string | null {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  if (y < 1 || m < 1 || m > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${year}-${month}-${day}`;
}

/** ISO 8601 'YYYY-MM-DD' that is a real date. */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m !== null && calendarDate(m[1]!, m[2]!, m[3]!) !== null;
}

/** The corpus's 'YYYYMMDD' → 'YYYY-MM-DD' when it is a real date, else null. */
export function parseCompactDate(raw: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  return m ? calendarDate(m[1]!, m[2]!, m[3]!) : null;
}
