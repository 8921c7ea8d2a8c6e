/**
 * How a metric registered in Eddy is named and scaled in Prometheus, following Prometheus's
 * naming conventions: snake_case, an `eddy_` prefix, base units with the unit in the name
 * (milliseconds become `_seconds`; milliseconds per second become a `_ratio`; watermarks, event
 * timestamps in milliseconds, become `_seconds`), counters ending in `_total`, and a meter's rate
 * as `_per_second` next to the counter it rates. Inside a job (`ctx.metrics`, the test harnesses'
 * `metrics()`) metrics keep the names they were registered with; only the exporter renames.
 *
 * @module
 */

/** The Prometheus type a metric is exported as. */
export type PrometheusType = 'counter' | 'gauge' | 'summary';

/** A metric's name, type and value scale in Prometheus. */
export interface PrometheusSeries {
  /** The full name, `eddy_…` (counters end in `_total`). */
  readonly name: string;
  /** The exported type. */
  readonly type: PrometheusType;
  /** Multiply values by this (1, or 1/1000 for milliseconds). */
  readonly scale: number;
}

/** `backPressureLevel` → `back_pressure_level`; snake_case names stay as they are. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The base-unit name and scale of a snake_case name. */
function inBaseUnits(name: string): { readonly name: string; readonly scale: number } {
  const perSecond = /^(.*)_ms_per_second$/.exec(name);
  if (perSecond !== null) return { name: `${perSecond[1]}_ratio`, scale: 1 / 1000 };
  const ms = /^(.*)_ms$/.exec(name);
  if (ms !== null) return { name: `${ms[1]}_seconds`, scale: 1 / 1000 };
  if (name.endsWith('_watermark')) return { name: `${name}_seconds`, scale: 1 / 1000 };
  return { name, scale: 1 };
}

/**
 * The Prometheus series of a counter, gauge or histogram (a summary) named `name` in Eddy.
 * Meters have two: see {@link meterSeries}.
 */
export function prometheusSeries(
  name: string,
  type: 'counter' | 'gauge' | 'histogram',
): PrometheusSeries {
  const base = inBaseUnits(snakeCase(name));
  const full = `eddy_${base.name}`;
  switch (type) {
    case 'counter':
      return {
        name: full.endsWith('_total') ? full : `${full}_total`,
        type: 'counter',
        scale: base.scale,
      };
    case 'gauge':
      return { name: full, type: 'gauge', scale: base.scale };
    case 'histogram':
      return { name: full, type: 'summary', scale: base.scale };
  }
}

/**
 * A meter's series: its rate as a `_per_second` gauge (a trailing `_rate` in its name dropped),
 * and its count as a `_total` counter — unless a counter of the same stem exists already
 * (`records_in_rate` rates the counter `records_in`), which would repeat that series.
 */
export function meterSeries(
  name: string,
  counterExists: (counterName: string) => boolean,
): { readonly rate: PrometheusSeries; readonly total: PrometheusSeries | undefined } {
  const stem = snakeCase(name).replace(/_rate$/, '');
  return {
    rate: { name: `eddy_${stem}_per_second`, type: 'gauge', scale: 1 },
    total: counterExists(stem) ? undefined : prometheusSeries(stem, 'counter'),
  };
}
