/** Number, time and size formatting for the dashboard. */

const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 1234.5 → "1,234.5". */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : nf.format(n);
}

/** Records per second. */
export function rate(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : `${nf.format(n)}/s`;
}

/** Milliseconds per second as a share: 140 → "14%". */
export function share(msPerSecond: number): string {
  return `${Math.round(msPerSecond / 10)}%`;
}

/** A duration in ms, human-sized. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${nf.format(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Bytes, human-sized. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${nf.format(v)} ${units[u]}`;
}

/** An epoch-ms or ISO time as local time. */
export function time(t: number | string | null | undefined): string {
  if (t === null || t === undefined) return '–';
  const d = new Date(t);
  return d.toLocaleString();
}

/** How long ago. */
export function ago(t: number | string | null | undefined, now = Date.now()): string {
  if (t === null || t === undefined) return '–';
  return `${duration(now - new Date(t).getTime())} ago`;
}
