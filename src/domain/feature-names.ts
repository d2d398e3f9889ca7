/** Column names as people read them, for names, descriptions, rules and strategy triggers. */

/** Prefixes of common column-naming schemes, read out: "MntWines" → "Wines Spend", "NumWebPurchases" → "Web Purchases". */
const COLUMN_PREFIXES: ReadonlyArray<[RegExp, (rest: string) => string]> = [
  [/^Mnt (.+)$/, (rest) => `${rest} Spend`],
  [/^Num (.+)$/, (rest) => rest],
];

/**
 * Column names as people say them: "Annual Income (k$)" → "Annual Income", "web_visits_month" → "Web
 * Visits Month", "MonthlyCharges" → "Monthly Charges", "BALANCE_FREQUENCY" → "Balance Frequency"
 * (acronyms of up to three letters stay: "Cash Advance TRX").
 */
export function readableFeature(feature: string): string {
  const cleaned = feature
    .replace(/\(.*?\)/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_\s-]+/g, ' ')
    .trim();
  let readable = titleCase(cleaned === '' ? feature : cleaned);
  for (const [pattern, rewrite] of COLUMN_PREFIXES) {
    const match = pattern.exec(readable);
    if (match) readable = rewrite(match[1]!);
  }
  return readable;
}

export function titleCase(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => {
      if (word.length <= 3 && word === word.toUpperCase()) return word;
      const lower = word === word.toUpperCase() ? word.toLowerCase() : word;
      return lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join(' ');
}

/** A figure as people read it: whole numbers from 100 up, one decimal from 10, two below ("82,000", "14.5", "0.42"). */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
