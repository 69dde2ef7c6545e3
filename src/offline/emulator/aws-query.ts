/**
 * The Redshift control plane's wire protocol, awsQuery: `POST /` with a form-encoded body
 * (`Action=DescribeClusters&Version=2012-12-01&ClusterIdentifier=…`), answered in XML, errors as
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…` with the
 * error's HTTP status. This is what @aws-sdk/client-redshift, boto3 and the AWS CLI speak.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlPlaneError, type Cluster, type ControlPlane } from './control-plane';
import { readBody } from './server';

const XMLNS = 'http://redshift.amazonaws.com/doc/2012-12-01/';
const MAX_BODY_BYTES = 1024 * 1024;

/** An awsQuery request has a form body and no x-amz-target (which every awsJson request carries). */
export function isAwsQueryRequest(request: IncomingMessage): boolean {
  const contentType = request.headers['content-type'] ?? '';
  return request.headers['x-amz-target'] === undefined && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

type Params = URLSearchParams;
type Action = (controlPlane: ControlPlane, params: Params) => string;

const ACTIONS: Record<string, Action> = {
  DescribeClusters: (plane, params) => {
    const clusters = plane.describe(params.get('ClusterIdentifier') ?? undefined);
    return element('Clusters', clusters.map((cluster) => element('Cluster', clusterXml(plane, cluster))).join(''));
  },
  PauseCluster: (plane, params) => element('Cluster', clusterXml(plane, plane.pause(required(params, 'ClusterIdentifier')))),
  ResumeCluster: (plane, params) => element('Cluster', clusterXml(plane, plane.resume(required(params, 'ClusterIdentifier')))),
  CreateCluster: (plane, params) => {
    const cluster = plane.create({
      identifier: required(params, 'ClusterIdentifier'),
      nodeType: required(params, 'NodeType'),
      masterUsername: required(params, 'MasterUsername'),
      dbName: params.get('DBName') ?? undefined,
      numberOfNodes: params.has('NumberOfNodes') ? Number(params.get('NumberOfNodes')) : undefined,
    });
    return element('Cluster', clusterXml(plane, cluster));
  },
  DeleteCluster: (plane, params) => element('Cluster', clusterXml(plane, plane.delete(required(params, 'ClusterIdentifier')))),
};

export async function handleAwsQuery(controlPlane: ControlPlane, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  try {
    const tooLarge = () => new ControlPlaneError('RequestEntityTooLarge', 413, `Request body larger than ${MAX_BODY_BYTES} bytes.`);
    const params = new URLSearchParams(await readBody(request, MAX_BODY_BYTES, tooLarge));
    const action = params.get('Action') ?? '';
    const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!run) throw new ControlPlaneError('InvalidAction', 400, `The emulator's Redshift control plane does not support the action "${action}" (it supports ${Object.keys(ACTIONS).join(', ')}).`);
    const result = run(controlPlane, params);
    const body = `<${action}Response xmlns="${XMLNS}">${element(`${action}Result`, result)}${responseMetadata(requestId)}</${action}Response>`;
    send(response, 200, requestId, body);
  } catch (error) {
    if (!(error instanceof ControlPlaneError)) console.error(`Control plane request ${requestId} failed unexpectedly:`, error);
    const failure = error instanceof ControlPlaneError ? error : new ControlPlaneError('InternalFailure', 500, error instanceof Error ? error.message : String(error));
    const type = failure.httpStatus < 500 ? 'Sender' : 'Receiver';
    const body = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    send(response, failure.httpStatus, requestId, body);
  }
}

function clusterXml(plane: ControlPlane, cluster: Cluster): string {
  return [
    element('ClusterIdentifier', escapeXml(cluster.identifier)),
    element('NodeType', escapeXml(cluster.nodeType)),
    element('ClusterStatus', cluster.status),
    element('ClusterAvailabilityStatus', availability(cluster)),
    element('MasterUsername', escapeXml(cluster.masterUsername)),
    element('DBName', escapeXml(cluster.dbName)),
    element('ClusterCreateTime', cluster.createdAt.toISOString()),
    element('NumberOfNodes', String(cluster.numberOfNodes)),
    element('AutomatedSnapshotRetentionPeriod', '1'),
    element('PubliclyAccessible', 'false'),
    element('Encrypted', 'true'),
    element('ClusterNamespaceArn', escapeXml(plane.arn(cluster))),
  ].join('');
}

/** ClusterAvailabilityStatus: Available, Unavailable, Maintenance, Modifying or Failed. */
function availability(cluster: Cluster): string {
  if (cluster.status === 'available') return 'Available';
  return cluster.status === 'paused' || cluster.status === 'deleting' ? 'Unavailable' : 'Modifying';
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new ControlPlaneError('MissingParameter', 400, `The request must contain the parameter ${name}`);
  return value;
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function responseMetadata(requestId: string): string {
  return element('ResponseMetadata', element('RequestId', requestId));
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char]!);
}

function send(response: ServerResponse, status: number, requestId: string, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  response.end(body);
}
