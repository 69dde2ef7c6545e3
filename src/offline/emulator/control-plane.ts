/**
 * The Redshift control plane as the emulator models it: clusters with Redshift's status values and
 * transitions that take a configurable time, one Redshift Serverless workgroup, and the Data API's
 * refusal to reach a cluster that is not available. Every cluster shares the emulator's one warehouse.
 */
import { ApiError, validationError } from './api-error';
import type { Json } from './input';
import type { Operations } from './server';

export type ClusterStatus = 'creating' | 'available' | 'pausing' | 'paused' | 'resuming' | 'deleting';

export interface ControlPlaneOptions {
  /** How long creating, pausing, resuming and deleting last, in ms (default 3000). */
  transitionMs?: number;
}

export interface ClusterSeed {
  clusterId: string;
  database: string;
  masterUsername: string;
  /** Start paused, so a client's resume path runs for real. */
  paused?: boolean;
}

export interface Cluster {
  identifier: string;
  status: ClusterStatus;
  nodeType: string;
  numberOfNodes: number;
  masterUsername: string;
  dbName: string;
  createdAt: Date;
}

export const DEFAULT_TRANSITION_MS = 3000;
export const OFFLINE_WORKGROUP = 'sparkify-offline';
const ACCOUNT = '000000000000';

/** A control-plane error: its awsQuery code (the SDK names it <Code>Fault) and HTTP status. */
export class ControlPlaneError extends Error {
  constructor(readonly code: string, readonly httpStatus: number, message: string) {
    super(message);
    this.name = code;
  }
}

const clusterNotFound = (id: string) => new ControlPlaneError('ClusterNotFound', 404, `Cluster ${id} not found.`);
const invalidState = (message: string) => new ControlPlaneError('InvalidClusterState', 400, message);

export class ControlPlane {
  readonly transitionMs: number;
  private readonly clusters = new Map<string, Cluster>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: ControlPlaneOptions, seed: ClusterSeed, readonly region = 'us-west-2') {
    this.transitionMs = options.transitionMs ?? DEFAULT_TRANSITION_MS;
    this.clusters.set(seed.clusterId, {
      identifier: seed.clusterId,
      status: seed.paused ? 'paused' : 'available',
      nodeType: 'ra3.xlplus',
      numberOfNodes: 1,
      masterUsername: seed.masterUsername,
      dbName: seed.database,
      createdAt: new Date(),
    });
  }

  describe(identifier?: string): Cluster[] {
    if (identifier === undefined) return [...this.clusters.values()];
    return [this.cluster(identifier)];
  }

  /** The status of a cluster, or undefined for one the control plane does not know. */
  statusOf(identifier: string): ClusterStatus | undefined {
    return this.clusters.get(identifier)?.status;
  }

  pause(identifier: string): Cluster {
    const cluster = this.cluster(identifier);
    if (cluster.status !== 'available') throw invalidState('You can only pause an ACTIVE Cluster');
    return this.transition(cluster, 'pausing', 'paused');
  }

  resume(identifier: string): Cluster {
    const cluster = this.cluster(identifier);
    if (cluster.status !== 'paused') throw invalidState(`You can only resume a PAUSED Cluster (cluster ${identifier} is ${cluster.status})`);
    return this.transition(cluster, 'resuming', 'available');
  }

  create(input: { identifier: string; nodeType: string; masterUsername: string; dbName?: string; numberOfNodes?: number }): Cluster {
    if (this.clusters.has(input.identifier)) throw new ControlPlaneError('ClusterAlreadyExists', 400, 'Cluster already exists');
    const cluster: Cluster = {
      identifier: input.identifier,
      status: 'creating',
      nodeType: input.nodeType,
      numberOfNodes: input.numberOfNodes ?? 1,
      masterUsername: input.masterUsername,
      dbName: input.dbName ?? 'dev',
      createdAt: new Date(),
    };
    this.clusters.set(cluster.identifier, cluster);
    return this.transition(cluster, 'creating', 'available');
  }

  delete(identifier: string): Cluster {
    const cluster = this.cluster(identifier);
    // A paused cluster can be deleted (its final snapshot is taken from the pause's snapshot); one mid-change cannot.
    if (cluster.status !== 'available' && cluster.status !== 'paused') {
      throw invalidState(`There is an operation running on the Cluster. Please try to delete it at a later time. (cluster ${identifier} is ${cluster.status})`);
    }
    const shown = this.transition(cluster, 'deleting', 'deleting');
    this.later(() => this.clusters.delete(identifier));
    return shown;
  }

  /** The error a Data API call gets when it names a cluster that cannot take connections, if any. */
  dataApiRefusal(identifier: string): ApiError | undefined {
    const status = this.statusOf(identifier);
    if (status === undefined || status === 'available') return undefined;
    return validationError(`Cluster ${identifier} is ${status}: it accepts no connections until it is available. Resume it with ResumeCluster and wait for the status available.`);
  }

  /** Stops pending transitions (the emulator is stopping). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  arn(cluster: Cluster): string {
    return `arn:aws:redshift:${this.region}:${ACCOUNT}:cluster:${cluster.identifier}`;
  }

  private cluster(identifier: string): Cluster {
    const cluster = this.clusters.get(identifier);
    if (!cluster) throw clusterNotFound(identifier);
    return cluster;
  }

  /** Shows `during` at once and `after` once transitionMs have passed; returns a snapshot for the response. */
  private transition(cluster: Cluster, during: ClusterStatus, after: ClusterStatus): Cluster {
    cluster.status = during;
    this.later(() => {
      cluster.status = after;
    });
    return { ...cluster };
  }

  private later(action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.transitionMs);
    timer.unref();
    this.timers.add(timer);
  }
}

/** Data API operations that open a connection to the cluster, so fail while it is not available. */
const CONNECTING_OPERATIONS = ['ExecuteStatement', 'BatchExecuteStatement', 'ListDatabases', 'ListSchemas', 'ListTables', 'DescribeTable'];

/**
 * Wraps the Data API so calls that need a connection fail while their cluster is paused, pausing,
 * resuming, creating or deleting. Calls on a session (no ClusterIdentifier) are checked against the
 * emulator's own cluster, which every session lives on.
 */
export function withClusterAvailability(operations: Operations, controlPlane: ControlPlane, homeCluster: string): Operations {
  const wrapped: Operations = { ...operations };
  for (const name of CONNECTING_OPERATIONS) {
    const target = `RedshiftData.${name}`;
    const operation = operations[target];
    if (!operation) continue;
    wrapped[target] = async (input: Json) => {
      const cluster = typeof input.ClusterIdentifier === 'string' ? input.ClusterIdentifier : input.SessionId !== undefined ? homeCluster : undefined;
      const refusal = cluster === undefined ? undefined : controlPlane.dataApiRefusal(cluster);
      if (refusal) throw refusal;
      return operation(input);
    };
  }
  return wrapped;
}

/** Redshift Serverless GetWorkgroup (awsJson1_1): one workgroup, always AVAILABLE (serverless has no pause). */
export function serverlessOperations(region: string, workgroupName = OFFLINE_WORKGROUP): Operations {
  const createdAt = new Date().toISOString();
  return {
    'RedshiftServerless.GetWorkgroup': async (input) => {
      const name = input.workgroupName;
      if (typeof name !== 'string' || name === '') {
        throw validationError("1 validation error detected: Value null at 'workgroupName' failed to satisfy constraint: Member must not be null");
      }
      if (name !== workgroupName) {
        throw new ApiError('ResourceNotFoundException', 404, `Workgroup ${name} not found.`, { resourceName: name });
      }
      const workgroupId = '00000000-0000-4000-8000-000000000001';
      return {
        workgroup: {
          workgroupName,
          workgroupId,
          workgroupArn: `arn:aws:redshift-serverless:${region}:${ACCOUNT}:workgroup/${workgroupId}`,
          namespaceName: workgroupName,
          status: 'AVAILABLE',
          baseCapacity: 8,
          creationDate: createdAt,
          publiclyAccessible: false,
        },
      };
    },
  };
}
