/**
 * A small hand-written SVG grouped bar chart for benchmark results (no chart library: the
 * benchmarks must run where only the repository's own dependencies exist).
 */

/** One group of bars (a query, a configuration) with a value per series. */
export interface BarGroup {
  readonly label: string;
  /** Value per series name; a missing series draws no bar. */
  readonly values: Readonly<Record<string, number | undefined>>;
}

/** What to draw. */
export interface GroupedBarChart {
  readonly title: string;
  /** Series in drawing order with their colours. */
  readonly series: readonly { readonly name: string; readonly color: string }[];
  readonly groups: readonly BarGroup[];
  /** Axis labels: a value becomes `format(value)`. */
  readonly format: (value: number) => string;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** The chart as an SVG document. */
export function groupedBarChart(chart: GroupedBarChart): string {
  const series = chart.series.filter((s) =>
    chart.groups.some((g) => g.values[s.name] !== undefined),
  );
  const max = Math.max(1, ...chart.groups.flatMap((g) => series.map((s) => g.values[s.name] ?? 0)));
  const bar = 14;
  const group = Math.max(series.length * bar + 16, 40);
  const left = 50;
  const top = 40;
  const height = 260;
  const width = Math.max(left + chart.groups.length * group + 20, left + series.length * 110);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 60}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="14">${escape(chart.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = top + height - (height * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${y + 4}" text-anchor="end">${chart.format(v)}</text>`);
  }
  chart.groups.forEach((g, i) => {
    const x0 = left + 8 + i * group;
    series.forEach((s, j) => {
      const v = g.values[s.name] ?? 0;
      const h = (height * v) / max;
      parts.push(
        `<rect x="${x0 + j * bar}" y="${(top + height - h).toFixed(1)}" width="${bar - 2}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escape(s.name)} ${escape(g.label)}: ${v}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${x0 + (series.length * bar) / 2}" y="${top + height + 14}" text-anchor="middle">${escape(g.label)}</text>`,
    );
  });
  series.forEach((s, j) => {
    const x = left + j * 110;
    const y = top + height + 36;
    parts.push(`<rect x="${x}" y="${y}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${x + 14}" y="${y + 9}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
