/** A time-series chart (uPlot) of one or more series over the same timestamps. */
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';

const COLORS = ['#2f6fdf', '#d9534f', '#2e9e5b', '#c58b00', '#7b4fd0'];

/** One line. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/** A chart titled `title`; `times` are epoch ms. */
export function TimeChart({
  title,
  times,
  series,
  unit,
  width = 400,
}: {
  title: string;
  times: readonly number[];
  series: readonly ChartSeries[];
  unit?: string;
  width?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = series.map((s) => s.label).join('|');
  useEffect(() => {
    if (el.current === null) return;
    const opts: uPlot.Options = {
      width,
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      axes: [
        {},
        {
          size: 56,
          values: (_u, ticks) => ticks.map((t) => `${formatTick(t)}${unit ?? ''}`),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length] as string,
          width: 1.5,
          spanGaps: false,
        })),
      ],
    };
    plot.current = new uPlot(opts, toData(times, series), el.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; new points go through setData.
  }, [key, width]);
  useEffect(() => {
    plot.current?.setData(toData(times, series));
  }, [times, series]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={el} />
    </figure>
  );
}

function toData(times: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [times.map((t) => t / 1000), ...series.map((s) => s.values as (number | null)[])];
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(Math.round(v * 10) / 10);
}
