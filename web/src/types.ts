/** The API's types, from the server's protocol schemas (types only: nothing is bundled). */
export type { ApplicationDescription, ApplicationVersion } from '../../src/protocol/application.ts';
export type { OperationAccepted, OperationDescription } from '../../src/protocol/operation.ts';
export type { SnapshotDescription } from '../../src/protocol/snapshot.ts';
export type {
  Caller,
  CheckpointView,
  JobHistory,
  JobView,
  VertexView,
} from '../../src/protocol/job-view.ts';
export type { CpuProfile, CpuProfileNode } from '../../src/core/cpu-profile.ts';
