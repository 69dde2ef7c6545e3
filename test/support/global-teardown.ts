export default async function globalTeardown(): Promise<void> {
  await globalThis.sparkifyTestPostgresServer?.stop();
  globalThis.sparkifyTestPostgresServer = undefined;
}
