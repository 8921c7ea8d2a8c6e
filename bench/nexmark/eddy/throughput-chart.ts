/** A small hand-written SVG bar chart of events per CPU second per query and engine. */
import type { QueryResult } from './suite.ts';

const COLORS = { eddy: '#2f6fdf', loop: '#9aa5b1', flink: '#e8743b' } as const;

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** The chart as an SVG document. */
export function throughputChart(results: readonly QueryResult[], title: string): string {
  const engines = (['eddy', 'loop', 'flink'] as const).filter((e) =>
    results.some((r) => r[e] !== undefined),
  );
  const max = Math.max(
    1,
    ...results.flatMap((r) => engines.map((e) => r[e]?.eventsPerCpuSecond ?? 0)),
  );
  const bar = 14;
  const group = engines.length * bar + 16;
  const left = 50;
  const top = 40;
  const height = 260;
  const width = left + results.length * group + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 60}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="14">${escape(title)} — events per CPU second</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = top + height - (height * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${left - 4}" y="${y + 4}" text-anchor="end">${(v / 1e6).toFixed(2)}M</text>`,
    );
  }
  results.forEach((r, i) => {
    const x0 = left + 8 + i * group;
    engines.forEach((e, j) => {
      const v = r[e]?.eventsPerCpuSecond ?? 0;
      const h = (height * v) / max;
      parts.push(
        `<rect x="${x0 + j * bar}" y="${(top + height - h).toFixed(1)}" width="${bar - 2}" height="${h.toFixed(1)}" fill="${COLORS[e]}"><title>${e} ${r.query}: ${v}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${x0 + (engines.length * bar) / 2}" y="${top + height + 14}" text-anchor="middle">${r.query}</text>`,
    );
  });
  engines.forEach((e, j) => {
    const x = left + j * 80;
    const y = top + height + 36;
    parts.push(`<rect x="${x}" y="${y}" width="10" height="10" fill="${COLORS[e]}"/>`);
    parts.push(`<text x="${x + 14}" y="${y + 9}">${e}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
