/** A line diff of two texts (longest common subsequence), for comparing versions' configs. */

/** One line of a diff. */
export interface DiffLine {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
}

/** The diff of `a` → `b`, line by line. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        x[i] === y[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ kind: ' ', text: x[i] as string });
      i++;
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number)) {
      out.push({ kind: '-', text: x[i++] as string });
    } else {
      out.push({ kind: '+', text: y[j++] as string });
    }
  }
  while (i < n) out.push({ kind: '-', text: x[i++] as string });
  while (j < m) out.push({ kind: '+', text: y[j++] as string });
  return out;
}

/** The diff shown as a listing. */
export function LineDiff({ a, b }: { a: string; b: string }) {
  const lines = diffLines(a, b);
  return (
    <pre class="diff" aria-label="configuration diff">
      {lines.map((l, i) => (
        <div key={i} class={l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : undefined}>
          {l.kind} {l.text}
        </div>
      ))}
    </pre>
  );
}
