/**
 * The job graph laid out with dagre from the plan (left to right). Each vertex shows its
 * parallelism, records in/out per second, busy and backpressured time and watermark lag, and is
 * coloured as Flink's web UI colours it: blue when idle, shading to red as it gets busy, dark grey
 * when backpressured. Vertices are buttons: Tab reaches them, Enter opens one.
 */
import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { duration, rate, share } from '../format.ts';
import type { JobView, VertexView } from '../types.ts';

const W = 210;
const H = 78;
/** Graphs up to this wide are scaled down to the page's width rather than scrolled. */
const FIT_LIMIT = 1800;

/** The fill of a vertex (Flink: idle blue → busy red; backpressured grey-black). */
export function vertexColor(v: VertexView): string {
  const busy = Math.min(1, v.metrics.busyTimeMsPerSecond / 1000);
  const bp = Math.min(1, v.metrics.backPressuredTimeMsPerSecond / 1000);
  if (bp > busy && bp >= 0.1) return `hsl(0, 0%, ${Math.round(45 - bp * 35)}%)`;
  const hue = Math.round(210 * (1 - busy));
  return `hsl(${hue}, 70%, ${Math.round(42 + (1 - busy) * 6)}%)`;
}

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<number, { x: number; y: number }>;
  readonly edges: readonly { key: string; d: string; label: string }[];
}

/** Lays out the plan; depends only on its structure, so polling does not re-layout. */
function layout(view: JobView): Layout {
  const started = performance.now();
  try {
    return layoutGraph(view);
  } finally {
    performance.measure('eddy:graph-layout', { start: started });
  }
}

function layoutGraph(view: JobView): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 64, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const v of view.vertices) g.setNode(String(v.id), { width: W, height: H });
  view.edges.forEach((e, i) => g.setEdge(String(e.source), String(e.target), {}, String(i)));
  dagre.layout(g);
  const nodes = new Map<number, { x: number; y: number }>();
  for (const v of view.vertices) {
    const n = g.node(String(v.id));
    nodes.set(v.id, { x: n.x - W / 2, y: n.y - H / 2 });
  }
  const edges = view.edges.map((e, i) => {
    const points = g.edge({ v: String(e.source), w: String(e.target), name: String(i) }).points;
    const d = points
      .map((p: { x: number; y: number }, j: number) => `${j === 0 ? 'M' : 'L'}${p.x},${p.y}`)
      .join(' ');
    return {
      key: String(i),
      d,
      label: e.sideOutput !== null ? `${e.partitioning} [${e.sideOutput}]` : e.partitioning,
    };
  });
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges };
}

/** The job graph; `onOpen` is called with the vertex the user opens. */
export function JobGraph({
  view,
  selected,
  onOpen,
}: {
  view: JobView;
  selected: number | undefined;
  onOpen: (id: number) => void;
}) {
  const shape =
    view.vertices.map((v) => v.id).join(',') +
    '|' +
    view.edges.map((e) => `${e.source}-${e.target}`).join(',');

  const l = useMemo(() => layout(view), [shape]);
  return (
    <div class="graph-wrap">
      <svg
        class="job-graph"
        width={l.width}
        height={l.height}
        // Slightly too wide graphs shrink to fit; much wider ones scroll (text stays readable).
        style={l.width <= FIT_LIMIT ? { maxWidth: '100%', height: 'auto' } : undefined}
        viewBox={`0 0 ${l.width} ${l.height}`}
        role="group"
        aria-label="job graph"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#7a8594" />
          </marker>
        </defs>
        {l.edges.map((e) => (
          <path key={e.key} d={e.d} class="edge" marker-end="url(#arrow)">
            <title>{e.label}</title>
          </path>
        ))}
        {view.vertices.map((v) => {
          const p = l.nodes.get(v.id);
          if (p === undefined) return null;
          const m = v.metrics;
          const label = `${v.name}: ${v.kind}, parallelism ${v.parallelism}, in ${rate(m.recordsInPerSecond)}, out ${rate(m.recordsOutPerSecond)}, busy ${share(m.busyTimeMsPerSecond)}, backpressured ${share(m.backPressuredTimeMsPerSecond)}, backpressure ${v.backPressureLevel}`;
          return (
            <g
              key={v.id}
              class={`vertex${selected === v.id ? ' selected' : ''}`}
              transform={`translate(${p.x},${p.y})`}
              tabindex={0}
              role="button"
              aria-label={label}
              data-vertex={v.id}
              onClick={() => onOpen(v.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onOpen(v.id);
                }
              }}
            >
              <rect width={W} height={H} rx="6" fill={vertexColor(v)} />
              <text x="10" y="18" class="v-name">
                {v.name.length > 26 ? `${v.name.slice(0, 25)}…` : v.name}
              </text>
              <text x={W - 10} y="18" class="v-par" text-anchor="end">
                ×{v.parallelism}
              </text>
              <text x="10" y="36" class="v-line">
                in {rate(m.recordsInPerSecond)} · out {rate(m.recordsOutPerSecond)}
              </text>
              <text x="10" y="52" class="v-line">
                busy {share(m.busyTimeMsPerSecond)} · bp {share(m.backPressuredTimeMsPerSecond)}
                {v.backPressureLevel !== 'OK' ? ` ${v.backPressureLevel}` : ''}
              </text>
              <text x="10" y="68" class="v-line">
                {v.kind}
                {m.watermarkLagMs !== null ? ` · wm lag ${duration(m.watermarkLagMs)}` : ''}
              </text>
              <title>{label}</title>
            </g>
          );
        })}
      </svg>
      <p class="legend" aria-hidden="true">
        <span class="sw" style={{ background: 'hsl(210,70%,48%)' }} /> idle
        <span class="sw" style={{ background: 'hsl(0,70%,42%)' }} /> busy
        <span class="sw" style={{ background: 'hsl(0,0%,20%)' }} /> backpressured
      </p>
    </div>
  );
}
