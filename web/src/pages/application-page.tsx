/**
 * `#/apps/NAME/TAB`: one application — header with its status and actions (deployer and admin
 * tokens only), and tabs: the job graph with charts and the opened vertex's subtasks,
 * checkpoints, exceptions, Kafka lag, logs, configuration and versions, snapshots, operations
 * and flame graphs.
 */
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { href, type Route } from '../router.ts';
import type { Caller } from '../types.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Actions } from './actions.tsx';
import { OverviewTab } from './overview-tab.tsx';
import { CheckpointsTab } from './checkpoints-tab.tsx';
import { ExceptionsTab } from './exceptions-tab.tsx';
import { KafkaTab } from './kafka-tab.tsx';
import { LogsTab } from './logs-tab.tsx';
import { ConfigurationTab } from './configuration-tab.tsx';
import { SnapshotsTab, OperationsTab } from './history-tabs.tsx';
import { FlameGraphTab } from './flame-graph-tab.tsx';
import { duration } from '../format.ts';

const TABS: readonly [string, string][] = [
  ['overview', 'Job graph'],
  ['checkpoints', 'Checkpoints'],
  ['exceptions', 'Exceptions'],
  ['kafka', 'Kafka'],
  ['logs', 'Logs'],
  ['configuration', 'Configuration'],
  ['snapshots', 'Snapshots'],
  ['operations', 'Operations'],
  ['flamegraph', 'Flame graph'],
];

/** One application. */
export function ApplicationPage({
  name,
  tab,
  route,
  caller,
}: {
  name: string;
  tab: string;
  route: Route;
  caller: Caller | undefined;
}) {
  const app = usePoll(() => api.application(name), 2000, [name]);
  const job = usePoll(() => api.job(name), 1000, [name]);
  const a = app.data;
  const canAct = caller !== undefined && caller.role !== 'viewer';
  return (
    <main>
      <div class="app-head">
        <h1>{name}</h1>
        {a !== undefined && (
          <>
            <StatusBadge status={a.status} />
            <span class="muted">
              version {a.version} · {a.resources.units} unit(s) · parallelism{' '}
              {a.resources.parallelism}
              {a.job !== undefined && a.status === 'RUNNING'
                ? ` · up ${duration(Date.now() - new Date(a.job.startedAt).getTime())}`
                : ''}
              {a.job?.restarts ? ` · ${a.job.restarts} restart(s)` : ''}
            </span>
          </>
        )}
        {canAct && a !== undefined && (
          <Actions
            app={a}
            onDone={() => {
              app.refresh();
              job.refresh();
            }}
          />
        )}
      </div>
      {app.error !== undefined && <p class="error">{app.error.message}</p>}
      {a?.lastFailure !== undefined && (
        <p class="error" role="status">
          Last failure ({a.lastFailure.kind}, {new Date(a.lastFailure.at).toLocaleString()}):{' '}
          {a.lastFailure.reason}
        </p>
      )}
      <nav class="tabs" aria-label="application sections">
        {TABS.map(([id, label]) => (
          <a
            key={id}
            href={href(['apps', name, id])}
            aria-current={tab === id ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {tab === 'overview' && <OverviewTab name={name} job={job.data} route={route} />}
      {tab === 'checkpoints' && <CheckpointsTab name={name} job={job.data} />}
      {tab === 'exceptions' && <ExceptionsTab job={job.data} />}
      {tab === 'kafka' && <KafkaTab name={name} job={job.data} />}
      {tab === 'logs' && <LogsTab name={name} />}
      {tab === 'configuration' && <ConfigurationTab name={name} app={a} />}
      {tab === 'snapshots' && <SnapshotsTab name={name} />}
      {tab === 'operations' && <OperationsTab name={name} />}
      {tab === 'flamegraph' && <FlameGraphTab name={name} job={job.data} route={route} />}
    </main>
  );
}
