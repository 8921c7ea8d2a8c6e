/**
 * A small hand-written SVG line chart for benchmark results over time (no chart library, like
 * `grouped-bar-chart.ts`): one or more series on a shared x axis, each scaled to its own maximum
 * (its axis labels on the left for the first series, on the right for the second), with
 * optional vertical markers (events such as kills and restarts).
 */

/** One line. */
export interface LineSeries {
  readonly name: string;
  readonly color: string;
  /** `[x, y]` points in ascending x. */
  readonly points: readonly (readonly [number, number])[];
  /** Axis label of a value. */
  readonly format: (value: number) => string;
}

/** What to draw. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: (x: number) => string;
  readonly series: readonly LineSeries[];
  /** Vertical markers at x, with a colour each. */
  readonly markers?: readonly { readonly x: number; readonly color: string }[];
  /** Legend entries for the markers. */
  readonly markerLegend?: readonly { readonly name: string; readonly color: string }[];
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** The chart as an SVG document. */
export function lineChart(chart: LineChart): string {
  const width = 900;
  const height = 320;
  const left = 60;
  const right = 60;
  const top = 40;
  const plotW = width - left - right;
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0]));
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, x0 + 1);
  const px = (x: number): number => left + ((x - x0) / (x1 - x0)) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 70}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="14">${escape(chart.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = top + height - (height * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
  }
  for (const m of chart.markers ?? []) {
    const x = px(m.x).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + height}" stroke="${m.color}" stroke-opacity="0.35"/>`,
    );
  }
  chart.series.forEach((s, si) => {
    const max = Math.max(1, ...s.points.map((p) => p[1])) * 1.1;
    const py = (y: number): number => top + height - (y / max) * height;
    const d = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`)
      .join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    if (si < 2) {
      for (let i = 0; i <= 4; i++) {
        const v = (max * i) / 4;
        const y = top + height - (height * i) / 4 + 4;
        const x = si === 0 ? left - 4 : width - right + 4;
        parts.push(
          `<text x="${x}" y="${y}" fill="${s.color}" text-anchor="${si === 0 ? 'end' : 'start'}">${escape(s.format(v))}</text>`,
        );
      }
    }
  });
  for (let i = 0; i <= 6; i++) {
    const x = x0 + ((x1 - x0) * i) / 6;
    parts.push(
      `<text x="${px(x).toFixed(1)}" y="${top + height + 16}" text-anchor="middle">${escape(chart.xLabel(x))}</text>`,
    );
  }
  const legend = [
    ...chart.series.map((s) => ({ name: s.name, color: s.color })),
    ...(chart.markerLegend ?? []),
  ];
  legend.forEach((l, i) => {
    const x = left + i * 170;
    const y = top + height + 40;
    parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${l.color}"/>`);
    parts.push(`<text x="${x + 14}" y="${y}">${escape(l.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
