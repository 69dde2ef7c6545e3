/** `s3://bucket/key` URLs as COPY and manifests write them. */

export interface S3Location {
  bucket: string;
  key: string;
}

/** S3's bucket naming rules, simplified: 3–63 of lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]';
const WHOLE_BUCKET_NAME = new RegExp(`^${BUCKET_NAME}$`);

/** Bucket per S3's naming rules; the key is printable text with no empty or dot-dot segments. */
const S3_URL = new RegExp(`^s3://(${BUCKET_NAME})/([^\\u0000-\\u001f\\u007f\\\\]*)$`);

export function isBucketName(name: string): boolean {
  return WHOLE_BUCKET_NAME.test(name);
}

/** The bucket and key of an s3:// URL, or null when it is not one. */
export function parseS3Url(url: string): S3Location | null {
  const match = S3_URL.exec(url);
  if (!match) return null;
  const key = match[2];
  if (key.split('/').some((segment, i, all) => segment === '..' || segment === '.' || (segment === '' && i < all.length - 1))) return null;
  return { bucket: match[1], key };
}

export function s3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
