/** Start, stop, snapshot, update configuration and rollback, each confirmed in a dialog. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ConfirmAction } from '../components/confirm-action.tsx';
import type { ApplicationDescription } from '../types.ts';

/** The actions of a deployer or admin on `app`. */
export function Actions({ app, onDone }: { app: ApplicationDescription; onDone: () => void }) {
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [withSnapshot, setWithSnapshot] = useState(true);
  const [restore, setRestore] = useState('RESTORE_FROM_LATEST_SNAPSHOT');
  const [config, setConfig] = useState(() => JSON.stringify(app.config, null, 2));
  const [configError, setConfigError] = useState<string | undefined>(undefined);
  const done = (m: string) => {
    setMessage(m);
    onDone();
  };
  const running = app.status === 'RUNNING';
  return (
    <div class="actions" role="toolbar" aria-label="actions">
      {!running && (
        <ConfirmAction
          label="Start"
          title={`Start ${app.name}`}
          run={() => api.start(app.name, { mode: restore })}
          onDone={done}
        >
          <label>
            Restore{' '}
            <select
              value={restore}
              onChange={(e) => setRestore((e.target as HTMLSelectElement).value)}
            >
              <option value="RESTORE_FROM_LATEST_SNAPSHOT">from the latest snapshot</option>
              <option value="SKIP_RESTORE">skip (start empty)</option>
            </select>
          </label>
        </ConfirmAction>
      )}
      {running && (
        <ConfirmAction
          label="Stop"
          title={`Stop ${app.name}`}
          danger
          run={() => api.stop(app.name, { snapshot: withSnapshot })}
          onDone={done}
        >
          <label>
            <input
              type="checkbox"
              checked={withSnapshot}
              onChange={(e) => setWithSnapshot((e.target as HTMLInputElement).checked)}
            />{' '}
            take a snapshot first (graceful stop)
          </label>
        </ConfirmAction>
      )}
      {running && (
        <ConfirmAction
          label="Snapshot"
          title={`Take a snapshot of ${app.name}`}
          run={() => api.snapshot(app.name)}
          onDone={done}
        >
          <p>The job keeps running while the snapshot is written.</p>
        </ConfirmAction>
      )}
      <ConfirmAction
        label="Update configuration"
        title={`Update ${app.name} to a new version`}
        run={async () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(config);
          } catch (e) {
            setConfigError(`not JSON: ${(e as Error).message}`);
            throw e;
          }
          setConfigError(undefined);
          return api.update(app.name, parsed);
        }}
        onDone={done}
      >
        <p>
          A running application takes a snapshot, stops, and starts version {app.version + 1} from
          it.
        </p>
        <textarea
          rows={14}
          cols={60}
          aria-label="configuration (JSON)"
          value={config}
          onInput={(e) => setConfig((e.target as HTMLTextAreaElement).value)}
        />
        {configError !== undefined && <p class="error">{configError}</p>}
      </ConfirmAction>
      {app.version > 1 && (
        <ConfirmAction
          label="Rollback"
          title={`Roll ${app.name} back to version ${app.version - 1}`}
          danger
          run={() => api.rollback(app.name)}
          onDone={done}
        >
          <p>The previous version starts from its snapshot.</p>
        </ConfirmAction>
      )}
      {message !== undefined && (
        <span class="muted" role="status">
          {message}
        </span>
      )}
    </div>
  );
}
