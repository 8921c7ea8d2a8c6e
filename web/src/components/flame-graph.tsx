/**
 * A flame graph of a V8 CPU profile: the root at the top, callees below, each frame as wide as
 * the samples under it. Click a frame to zoom to it (Escape or "Reset zoom" goes back); the
 * search box highlights frames whose function or file matches and sums their share.
 *
 * Keyboard: the graph is one tab stop (hundreds of frames as tab stops would trap a keyboard
 * user); arrow keys move a selection — up to the caller, down to the heaviest callee, left and
 * right between siblings — Enter zooms to it, Escape resets. The selected frame's details are
 * announced in a status line, as the mouse's tooltip shows them.
 */
import { useMemo, useState } from 'preact/hooks';
import type { CpuProfile } from '../types.ts';

const ROW = 18;

/** A frame of the merged call tree. */
interface Frame {
  readonly id: number;
  readonly name: string;
  readonly where: string;
  readonly depth: number;
  readonly parent: Frame | undefined;
  /** Offset and width in samples. */
  x: number;
  total: number;
  self: number;
  readonly children: Frame[];
}

/** Builds the frame tree of a profile (sample counts from `samples`, else `hitCount`). */
export function frameTree(profile: CpuProfile): { root: Frame; frames: Frame[] } {
  const counts = new Map<number, number>();
  if (profile.samples !== undefined && profile.samples.length > 0) {
    for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  } else {
    for (const n of profile.nodes) counts.set(n.id, n.hitCount ?? 0);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const rootNode = profile.nodes.find((n) => !childIds.has(n.id)) ?? profile.nodes[0];
  const frames: Frame[] = [];
  const build = (id: number, depth: number, parent: Frame | undefined): Frame => {
    const n = byId.get(id);
    const cf = n?.callFrame;
    const file = cf?.url.split('/').pop() ?? '';
    const f: Frame = {
      id,
      name: cf === undefined ? '?' : cf.functionName || '(anonymous)',
      where: file === '' ? '' : `${file}:${(cf?.lineNumber ?? 0) + 1}`,
      depth,
      parent,
      x: 0,
      total: 0,
      self: counts.get(id) ?? 0,
      children: [],
    };
    frames.push(f);
    for (const c of n?.children ?? []) f.children.push(build(c, depth + 1, f));
    f.total = f.self + f.children.reduce((s, c) => s + c.total, 0);
    f.children.sort((a, b) => b.total - a.total);
    return f;
  };
  const root = build(rootNode?.id ?? 0, 0, undefined);
  const place = (f: Frame, x: number) => {
    f.x = x;
    let cx = x;
    for (const c of f.children) {
      place(c, cx);
      cx += c.total;
    }
  };
  place(root, 0);
  return { root, frames };
}

function color(f: Frame): string {
  if (f.name.startsWith('(')) return '#b8bec7';
  if (f.where === '' || f.where.startsWith('node:')) return '#e6c07b';
  let h = 0;
  for (let i = 0; i < f.name.length; i++) h = (h * 31 + f.name.charCodeAt(i)) | 0;
  return `hsl(${10 + (Math.abs(h) % 40)}, 85%, ${58 + (Math.abs(h >> 8) % 12)}%)`;
}

/** The flame graph of `profile`, `width` pixels wide. */
export function FlameGraph({ profile, width }: { profile: CpuProfile; width: number }) {
  const { root, frames } = useMemo(() => frameTree(profile), [profile]);
  const [zoom, setZoom] = useState<Frame>(root);
  const [chosen, setChosen] = useState<Frame>(root);
  const [search, setSearch] = useState('');
  const focus = frames.includes(zoom) ? zoom : root;
  const scale = width / Math.max(1, focus.total);
  const needle = search.trim().toLowerCase();
  const matches = (f: Frame) =>
    needle !== '' &&
    (f.name.toLowerCase().includes(needle) || f.where.toLowerCase().includes(needle));
  const ancestors = new Set<Frame>();
  for (let a: Frame | undefined = focus; a !== undefined; a = a.parent) ancestors.add(a);
  const visible: { f: Frame; x: number; w: number }[] = [];
  let maxDepth = 0;
  let matched = 0;
  const countMatches = (f: Frame) => {
    if (matches(f)) {
      matched += f.total;
      return;
    }
    for (const c of f.children) countMatches(c);
  };
  countMatches(focus);
  for (const f of frames) {
    let x: number;
    let w: number;
    if (ancestors.has(f)) {
      x = 0;
      w = width;
    } else {
      if (f.x < focus.x || f.x + f.total > focus.x + focus.total || f.depth <= focus.depth)
        continue;
      x = (f.x - focus.x) * scale;
      w = f.total * scale;
    }
    if (w < 0.5) continue;
    visible.push({ f, x, w });
    maxDepth = Math.max(maxDepth, f.depth);
  }
  const totalSamples = Math.max(1, root.total);
  const shown = new Set(visible.map((v) => v.f));
  const selected = shown.has(chosen) ? chosen : focus;
  const describe = (f: Frame) =>
    `${f.name} ${f.where}\n${f.total} samples (${((f.total / totalSamples) * 100).toFixed(1)}%), self ${f.self}`;
  const move = (key: string): Frame | undefined => {
    const siblings = (selected.parent?.children ?? []).filter((c) => shown.has(c));
    const at = siblings.indexOf(selected);
    if (key === 'ArrowUp')
      return selected.parent !== undefined && shown.has(selected.parent)
        ? selected.parent
        : undefined;
    if (key === 'ArrowDown') return selected.children.find((c) => shown.has(c));
    if (key === 'ArrowLeft') return at > 0 ? siblings[at - 1] : undefined;
    if (key === 'ArrowRight') return at >= 0 ? siblings[at + 1] : undefined;
    return undefined;
  };
  const zoomTo = (f: Frame) => {
    setZoom(f);
    setChosen(f);
  };
  return (
    <div
      class="flame"
      onKeyDown={(e) => {
        if (e.key === 'Escape') zoomTo(root);
      }}
    >
      <div class="flame-tools">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            placeholder="function or file"
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
        {needle !== '' && (
          <span class="muted" data-testid="flame-match">
            {((matched / Math.max(1, focus.total)) * 100).toFixed(1)}% of the shown samples match
          </span>
        )}
        <button onClick={() => zoomTo(root)} disabled={focus === root}>
          Reset zoom
        </button>
        <span class="muted">
          {root.total} samples · click a frame (or select it with the arrow keys and press Enter) to
          zoom, Escape to reset
        </span>
      </div>
      <p class="flame-selected muted" role="status" aria-live="polite" data-testid="flame-selected">
        {describe(selected).replace('\n', ' — ')}
      </p>
      <svg
        width={width}
        height={(maxDepth + 1) * ROW}
        class="flame-svg"
        role="group"
        tabindex={0}
        aria-label="flame graph: arrow keys select a frame, Enter zooms to it, Escape resets"
        aria-activedescendant={`flame-frame-${selected.id}`}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            zoomTo(selected);
            return;
          }
          const next = move(e.key);
          if (e.key.startsWith('Arrow')) e.preventDefault();
          if (next !== undefined) setChosen(next);
        }}
      >
        {visible.map(({ f, x, w }) => (
          <g
            key={f.id}
            id={`flame-frame-${f.id}`}
            transform={`translate(${x},${f.depth * ROW})`}
            class={`frame${matches(f) ? ' match' : ''}${f === selected ? ' selected' : ''}`}
            onClick={() => zoomTo(f)}
          >
            <rect
              width={Math.max(0.5, w - 0.5)}
              height={ROW - 1}
              fill={matches(f) ? '#e040fb' : color(f)}
            />
            {w > 40 && (
              <text x="3" y="13">
                {truncate(f.name, Math.floor((w - 6) / 6.5))}
              </text>
            )}
            <title>{describe(f)}</title>
          </g>
        ))}
      </svg>
    </div>
  );
}

function truncate(s: string, n: number): string {
  if (n <= 1) return '';
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
