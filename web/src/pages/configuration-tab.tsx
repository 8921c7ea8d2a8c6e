/** The configuration in force (given and effective), and the versions with a diff of two. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { time } from '../format.ts';
import { usePoll } from '../hooks.ts';
import { LineDiff } from '../components/line-diff.tsx';
import type { ApplicationDescription } from '../types.ts';

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** The configuration tab. */
export function ConfigurationTab({
  name,
  app,
}: {
  name: string;
  app: ApplicationDescription | undefined;
}) {
  const versions = usePoll(() => api.versions(name), 5000, [name]);
  const list = versions.data ?? [];
  const [from, setFrom] = useState<number | undefined>(undefined);
  const [to, setTo] = useState<number | undefined>(undefined);
  const newest = list[0]?.version;
  const a = list.find(
    (v) => v.version === (from ?? (newest !== undefined ? newest - 1 : undefined)),
  );
  const b = list.find((v) => v.version === (to ?? newest));
  const pick = (set: (n: number) => void) => (e: Event) =>
    set(Number((e.target as HTMLSelectElement).value));
  return (
    <section aria-label="configuration">
      <div class="two">
        <div>
          <h2>Configuration (version {app?.version ?? '…'})</h2>
          <pre class="json">{app === undefined ? 'Loading…' : pretty(app.config)}</pre>
        </div>
        <div>
          <h2>Effective settings</h2>
          <pre class="json">{app === undefined ? 'Loading…' : pretty(app.effective)}</pre>
        </div>
      </div>
      <h2>Versions</h2>
      <table class="grid" aria-label="versions">
        <thead>
          <tr>
            <th class="n">Version</th>
            <th>Artifact</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {list.map((v) => (
            <tr key={v.version}>
              <td class="n">{v.version}</td>
              <td>
                <code>{v.artifactId}</code>
              </td>
              <td>{time(v.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length > 1 && a !== undefined && b !== undefined && (
        <>
          <h2>
            Diff version{' '}
            <select aria-label="from version" value={a.version} onChange={pick(setFrom)}>
              {list.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>{' '}
            →{' '}
            <select aria-label="to version" value={b.version} onChange={pick(setTo)}>
              {list.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </h2>
          <LineDiff
            a={pretty({ artifactId: a.artifactId, config: a.config })}
            b={pretty({ artifactId: b.artifactId, config: b.config })}
          />
        </>
      )}
    </section>
  );
}
