'use strict';
/**
 * The S3 statements of a created warehouse's COPY role (serverless.yml `CopyRole`): GetObject under the
 * two COPY prefixes and on the jsonpaths object, ListBucket only for those prefixes. COPY lists and reads
 * every key that starts with its FROM prefix, hence `<prefix>*`. With song compaction, COPY also reads the
 * compacted objects and manifests under `<compactedSongs>/` (listed by the manifest: no ListBucket).
 *
 * And the ETL role's statements for the compactSongs stage: list and read the song prefix, write and read
 * back its own objects under the compacted prefix, nothing else.
 */
const { parseS3Url } = require('./params');

const objectArn = (bucket, key) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}/${key}` });
const bucketArn = (bucket) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });

/** The compacted prefix's bucket and its key folder (`<key>/`), or undefined when compaction is off. */
function compactedFolder(compactedSongs) {
  const location = compactedSongs ? parseS3Url(compactedSongs.replace(/\/+$/, '')) : undefined;
  return location && { bucket: location.bucket, key: location.key === '' ? '' : `${location.key}/` };
}

function copyAccessStatements({ logData, songData, logJsonPath, compactedSongs }) {
  const prefixes = [logData, songData].map(parseS3Url);
  const jsonPaths = parseS3Url(logJsonPath);
  // A malformed URL: the plugin's check names it before anything is packaged.
  if (prefixes.includes(undefined) || !jsonPaths) return [];
  const compacted = compactedFolder(compactedSongs);

  const prefixesByBucket = new Map();
  for (const { bucket, key } of prefixes) prefixesByBucket.set(bucket, [...(prefixesByBucket.get(bucket) ?? []), `${key}*`]);
  return [
    {
      Sid: 'ReadTheSources',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [
        ...prefixes.map(({ bucket, key }) => objectArn(bucket, `${key}*`)),
        objectArn(jsonPaths.bucket, jsonPaths.key),
        ...(compacted ? [objectArn(compacted.bucket, `${compacted.key}*`)] : []),
      ],
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

function compactionStatements({ songData, compactedSongs }) {
  const songs = parseS3Url(songData);
  const compacted = compactedFolder(compactedSongs);
  // Compaction off (the policy is left out), or a malformed URL (the plugin's check names it).
  if (!songs || !compacted) return [];
  return [
    { Sid: 'ReadTheSongObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: objectArn(songs.bucket, `${songs.key}*`) },
    {
      Sid: 'ListTheSongPrefix',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(songs.bucket),
      Condition: { StringLike: { 's3:prefix': [`${songs.key}*`] } },
    },
    {
      Sid: 'WriteTheCompactedSongs',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: objectArn(compacted.bucket, `${compacted.key}*`),
    },
  ];
}

module.exports = {
  copyAccessStatements,
  compactionStatements,
  // ${file(deploy/copy-access.js):compaction} in serverless.yml
  compaction: async ({ resolveVariable }) => compactionStatements({
    songData: await resolveVariable('param:songData'),
    compactedSongs: await resolveVariable('param:compactedSongs'),
  }),
  // ${file(deploy/copy-access.js):statements} in serverless.yml
  statements: async ({ resolveVariable }) => copyAccessStatements({
    logData: await resolveVariable('param:logData'),
    songData: await resolveVariable('param:songData'),
    logJsonPath: await resolveVariable('param:logJsonPath'),
    compactedSongs: await resolveVariable('param:compactedSongs'),
  }),
};
