'use strict';
/**
 * The S3 statements of a created warehouse's COPY role (serverless.yml `CopyRole`): GetObject under the
 * two COPY prefixes and on the jsonpaths object, ListBucket only for those prefixes. COPY lists and reads
 * every key that starts with its FROM prefix, hence `<prefix>*`.
 */
const { parseS3Url } = require('./params');

const objectArn = (bucket, key) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}/${key}` });
const bucketArn = (bucket) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });

function copyAccessStatements({ logData, songData, logJsonPath }) {
  const prefixes = [logData, songData].map(parseS3Url);
  const jsonPaths = parseS3Url(logJsonPath);
  // A malformed URL: the plugin's check names it before anything is packaged.
  if (prefixes.includes(undefined) || !jsonPaths) return [];

  const prefixesByBucket = new Map();
  for (const { bucket, key } of prefixes) prefixesByBucket.set(bucket, [...(prefixesByBucket.get(bucket) ?? []), `${key}*`]);
  return [
    {
      Sid: 'ReadTheSources',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [...prefixes.map(({ bucket, key }) => objectArn(bucket, `${key}*`)), objectArn(jsonPaths.bucket, jsonPaths.key)],
    },
    ...[...prefixesByBucket].map(([bucket, keys], index) => ({
      Sid: `ListTheSourcePrefixes${index || ''}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(bucket),
      Condition: { StringLike: { 's3:prefix': [...new Set(keys)] } },
    })),
  ];
}

module.exports = {
  copyAccessStatements,
  // ${file(deploy/copy-access.js):statements} in serverless.yml
  statements: async ({ resolveVariable }) => copyAccessStatements({
    logData: await resolveVariable('param:logData'),
    songData: await resolveVariable('param:songData'),
    logJsonPath: await resolveVariable('param:logJsonPath'),
  }),
};
