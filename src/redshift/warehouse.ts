/**
 * The warehouse's lifecycle before and after a load: is it up, resume it when it is paused, pause it
 * again. A provisioned cluster through @aws-sdk/client-redshift (awsQuery), a serverless workgroup
 * through @aws-sdk/client-redshift-serverless, which has no pause: it bills only while queries run.
 * Transient SDK errors (throttling, 5xx) become TransientDataApiError, the one name the state machine retries.
 */
import { DescribeClustersCommand, PauseClusterCommand, RedshiftClient, ResumeClusterCommand } from '@aws-sdk/client-redshift';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { WarehouseTarget } from '../pipeline/config';
import { callAws as call } from './data-api';

export interface WarehouseClients {
  redshift: RedshiftClient;
  serverless: RedshiftServerlessClient;
}

/** The cluster's ClusterStatus (available, paused, resuming, …) or the workgroup's status (AVAILABLE, …). */
export async function warehouseStatus(clients: WarehouseClients, target: WarehouseTarget): Promise<string> {
  if (target.kind === 'cluster') {
    const { Clusters } = await call('DescribeClusters', () => clients.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: target.clusterId })));
    return Clusters?.[0]?.ClusterStatus ?? '(no status)';
  }
  // The Data API takes a workgroup's name or ARN; GetWorkgroup takes only the name (an ARN ends in its id).
  if (target.workgroup.startsWith('arn:')) {
    throw new Error(`REDSHIFT_WORKGROUP is the ARN ${target.workgroup}; checking the workgroup needs its name (serverless.yml passes workgroupName)`);
  }
  const workgroupName = target.workgroup;
  const { workgroup } = await call('GetWorkgroup', () => clients.serverless.send(new GetWorkgroupCommand({ workgroupName })));
  return workgroup?.status ?? '(no status)';
}

export async function resumeCluster(clients: WarehouseClients, clusterId: string): Promise<string> {
  const { Cluster } = await call('ResumeCluster', () => clients.redshift.send(new ResumeClusterCommand({ ClusterIdentifier: clusterId })));
  return Cluster?.ClusterStatus ?? 'resuming';
}

export async function pauseCluster(clients: WarehouseClients, clusterId: string): Promise<string> {
  const { Cluster } = await call('PauseCluster', () => clients.redshift.send(new PauseClusterCommand({ ClusterIdentifier: clusterId })));
  return Cluster?.ClusterStatus ?? 'pausing';
}
