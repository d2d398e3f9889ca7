/** Numbers and dates for people: thousands separators, percentages, short dates. */
const LOCALE = navigator.language || 'en';

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const significant = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 3 });
const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 });
const signed = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
const date = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

export const formatInteger = (value: number): string => integer.format(value);
/** Three significant digits below 1,000 (15.4, 0.332), whole numbers with separators above (2,219). */
export const formatNumber = (value: number): string => (Math.abs(value) >= 1000 ? integer.format(value) : significant.format(value));
export const formatPercent = (share: number): string => percent.format(share);
/** A z-score as "+1.4 sd". */
export const formatSd = (z: number): string => `${signed.format(z)} sd`;
export const formatDate = (iso: string | null): string => (iso ? date.format(new Date(iso)) : '—');
/** "age_years" → "age years". */
export const humanize = (feature: string): string => feature.replace(/[_-]+/g, ' ');
