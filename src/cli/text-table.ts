/**
 * Plain-text tables and key/value blocks for the CLI's human output (`--json` prints the data).
 *
 * @module
 */

/** Columns padded to their widest cell; `rows` are the cells under `header`. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `key  value` lines, keys aligned; entries whose value is undefined are left out. */
export function keyValues(entries: readonly (readonly [string, string | undefined])[]): string {
  const present = entries.filter((e): e is readonly [string, string] => e[1] !== undefined);
  const width = Math.max(...present.map(([k]) => k.length)) + 2;
  return present.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n');
}

/** `1.2 MiB`, `512 B`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
