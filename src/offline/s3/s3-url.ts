/** `s3://bucket/key` URLs as COPY and manifests write them. */

export interface S3Location {
  bucket: string;
  key: string;
}

/** Bucket per S3's naming rules; the key is printable text with no empty or dot-dot segments. */
const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([^\u0000-\u001f\u007f\\]*)$/;

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
