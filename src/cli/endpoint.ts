/** --endpoint, for the commands that read a warehouse: a running emulator, instead of starting one. */
import { UsageError, type EngineFlagValues } from './args';

/** The URL of a running emulator (or AWS endpoint), checked: scheme and host, nothing else. */
export function httpEndpoint(endpoint: string): string {
  if (!/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL like http://127.0.0.1:5439, got ${JSON.stringify(endpoint)}`);
  return endpoint;
}

export function endpointUrl(endpoint: string, values: EngineFlagValues): string {
  if (values.engine || values['database-url'] || values['data-dir']) {
    throw new UsageError('--endpoint uses a running emulator; --engine, --database-url and --data-dir are for starting one');
  }
  return httpEndpoint(endpoint);
}
