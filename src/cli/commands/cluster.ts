import { DescribeClustersCommand, PauseClusterCommand, RedshiftClient, ResumeClusterCommand, type Cluster } from '@aws-sdk/client-redshift';
import { OFFLINE_CREDENTIALS, OFFLINE_REGION, OFFLINE_TARGET } from '../../offline/runner/warehouse';
import { UsageError, parseFlags } from '../args';
import { httpEndpoint } from '../endpoint';

export const CLUSTER_HELP = `Usage: sparkify cluster status|pause|resume [--cluster ID] [--endpoint URL] [--json]

Shows, pauses or resumes a provisioned Redshift cluster through the Redshift API (@aws-sdk/client-redshift).
Without --endpoint it calls AWS with your usual credentials and region (environment, profile or SSO; the
region from AWS_REGION or your profile); nothing is stored. With --endpoint it calls a running emulator
(sparkify emulator) with dummy credentials.

  status                    print the cluster's id and status (available, pausing, paused, resuming, …)
  pause                     pause an available cluster and print its new status (pausing)
  resume                    resume a paused cluster and print its new status (resuming)
  --cluster ID              the cluster (default ${OFFLINE_TARGET.clusterId} with --endpoint; required without)
  --endpoint URL            a running emulator, e.g. http://127.0.0.1:5439
  --json                    print {"clusterId", "status"} as JSON

Pause and resume return at once; the cluster reaches paused or available later (minutes on AWS).
Exit status: 0 done, 1 the API refused (unknown cluster, wrong state, no credentials), 2 bad usage.`;

const ACTIONS = {
  status: async (client: RedshiftClient, clusterId: string) => {
    const { Clusters } = await client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterId }));
    return Clusters?.[0];
  },
  pause: async (client: RedshiftClient, clusterId: string) => (await client.send(new PauseClusterCommand({ ClusterIdentifier: clusterId }))).Cluster,
  resume: async (client: RedshiftClient, clusterId: string) => (await client.send(new ResumeClusterCommand({ ClusterIdentifier: clusterId }))).Cluster,
} satisfies Record<string, (client: RedshiftClient, clusterId: string) => Promise<Cluster | undefined>>;

export async function clusterCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('cluster', args, { cluster: { type: 'string' }, endpoint: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (values.help) {
    console.log(CLUSTER_HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (action === undefined || !Object.hasOwn(ACTIONS, action) || extra.length > 0) {
    throw new UsageError(`sparkify cluster takes one action, status, pause or resume${positionals.length > 0 ? `, got ${positionals.join(' ')}` : ''}`);
  }
  if (values.endpoint !== undefined) httpEndpoint(values.endpoint);
  const clusterId = values.cluster ?? (values.endpoint !== undefined ? OFFLINE_TARGET.clusterId : undefined);
  if (!clusterId) throw new UsageError('sparkify cluster needs --cluster ID when it calls AWS (no --endpoint)');

  // On AWS the SDK's default chain finds the user's credentials and region; offline, dummy ones as everywhere else.
  const client = values.endpoint !== undefined
    ? new RedshiftClient({ endpoint: values.endpoint, region: OFFLINE_REGION, credentials: OFFLINE_CREDENTIALS })
    : new RedshiftClient({});
  try {
    const cluster = await ACTIONS[action as keyof typeof ACTIONS](client, clusterId);
    const status = cluster?.ClusterStatus ?? '(no status)';
    console.log(values.json ? JSON.stringify({ clusterId: cluster?.ClusterIdentifier ?? clusterId, status }) : `${cluster?.ClusterIdentifier ?? clusterId}: ${status}`);
    return 0;
  } catch (error) {
    // The API's own words (e.g. "You can only pause an ACTIVE Cluster"), with its error name.
    const { name, message } = error as Error;
    console.error(`sparkify cluster ${action}: ${name}: ${message}`);
    return 1;
  } finally {
    client.destroy();
  }
}
