/** The Nexmark chart: events per CPU second per query and engine. */
import { groupedBarChart } from '../../charts/grouped-bar-chart.ts';
import type { QueryResult } from './suite.ts';

/** The chart as an SVG document. */
export function throughputChart(results: readonly QueryResult[], title: string): string {
  return groupedBarChart({
    title: `${title} — events per CPU second`,
    series: [
      { name: 'eddy', color: '#2f6fdf' },
      { name: 'loop', color: '#9aa5b1' },
      { name: 'flink idiomatic', color: '#f2b48f' },
      { name: 'flink tuned', color: '#e8743b' },
      { name: 'flink hand-written', color: '#a3461a' },
    ],
    groups: results.map((r) => ({
      label: r.query,
      values: {
        eddy: r.eddy.eventsPerCpuSecond,
        loop: r.loop.eventsPerCpuSecond,
        'flink idiomatic': r.flink?.eventsPerCpuSecond,
        'flink tuned': r.flinkTuned?.eventsPerCpuSecond,
        'flink hand-written': r.flinkHand?.eventsPerCpuSecond,
      },
    })),
    format: (v) => `${(v / 1e6).toFixed(2)}M`,
  });
}
