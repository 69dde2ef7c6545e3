import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { runSql, TEST_TARGET, useTestEmulator, waitForStatement, type TestEmulator } from '../../support/engines';

const ID_PATTERN = '^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d{0,2})?$';

// The API layer does not depend on the engine; one engine is enough here.
describe('Data API wire protocol and request validation', () => {
  let emulator: TestEmulator;
  let client: RedshiftDataClient;
  useTestEmulator('pglite', (started) => {
    emulator = started;
    client = started.client;
  });

  const post = (target: string | undefined, body: unknown) =>
    fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('speaks awsJson1_1 over plain HTTP on 127.0.0.1', async () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const executed = await post('RedshiftData.ExecuteStatement', { ...TEST_TARGET, Sql: 'select 1 as one' });
    expect(executed.status).toBe(200);
    expect(executed.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(executed.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await executed.json()) as { Id: string; CreatedAt: number; Database: string };
    expect(body.Database).toBe('dev');
    expect(typeof body.CreatedAt).toBe('number'); // epoch seconds
    expect(Math.abs(body.CreatedAt - Date.now() / 1000)).toBeLessThan(60);
  });

  test('errors carry __type, message and the HTTP status', async () => {
    const malformed = await post('RedshiftData.DescribeStatement', { Id: 'not-an-id' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await malformed.json()).toEqual({ __type: 'ValidationException', message: `id must satisfy regex pattern: ${ID_PATTERN}` });

    const unknownId = await post('RedshiftData.DescribeStatement', { Id: '00000000-0000-0000-0000-000000000000' });
    expect(unknownId.status).toBe(404);
    expect(await unknownId.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'Query does not exist.',
      ResourceId: '00000000-0000-0000-0000-000000000000',
    });

    const unknownOperation = await post('RedshiftData.DropEverything', {});
    expect(unknownOperation.status).toBe(400);
    expect(await unknownOperation.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const noTarget = await post(undefined, {});
    expect(noTarget.status).toBe(400);
    expect(((await noTarget.json()) as { message: string }).message).toContain('x-amz-target: RedshiftData.<Operation>');

    const notJson = await post('RedshiftData.ExecuteStatement', '{"Sql": ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
  });

  test('the SDK maps the error shapes to its exception classes', async () => {
    await expect(client.send(new DescribeStatementCommand({ Id: 'not-an-id' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: `id must satisfy regex pattern: ${ID_PATTERN}`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new GetStatementResultCommand({ Id: '00000000-0000-0000-0000-000000000000:2' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Query does not exist.',
      ResourceId: '00000000-0000-0000-0000-000000000000:2',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client.send(new CancelStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  test('rejects SQL over 100 KB and batches over 40 statements', async () => {
    await expect(client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: `select '${'x'.repeat(100 * 1024)}'` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Cannot process query string larger than 100kB',
    });
    await expect(client.send(new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls: Array.from({ length: 41 }, () => 'select 1') }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'sqls' failed to satisfy constraint: Member must have length less than or equal to 40"),
    });
    const forty = await client.send(new BatchExecuteStatementCommand({ ...TEST_TARGET, Sqls: Array.from({ length: 40 }, (_, n) => `select ${n}`) }));
    expect(forty.Id).toBeDefined();
  });

  test('checks parameter names and values as the model does', async () => {
    await expect(
      client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select :a', Parameters: [{ name: 'bad-name', value: '1' }] })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'bad-name' at 'parameters.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z_]+$",
    });
    await expect(
      client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select :a', Parameters: [{ name: 'a', value: '' }] })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '' at 'parameters.1.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  test('needs a cluster or a workgroup, and says so when CSV results are asked for', async () => {
    await expect(client.send(new ExecuteStatementCommand({ Database: 'dev', Sql: 'select 1' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Either ClusterIdentifier or WorkgroupName must be specified, but not both.',
    });
    const serverless = await client.send(new ExecuteStatementCommand({ Database: 'dev', WorkgroupName: 'sparkify-wg', Sql: 'select 1' }));
    expect(serverless.WorkgroupName).toBe('sparkify-wg');
    expect((await waitForStatement(client, serverless.Id!)).Status).toBe('FINISHED');
    await expect(client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'select 1', ResultFormat: 'CSV' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'This emulator returns JSON results only: ResultFormat CSV is not supported.',
    });
  });

  test('the endpoint also works through AWS_ENDPOINT_URL_REDSHIFT_DATA', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA;
    process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA = emulator.endpoint;
    try {
      const fromEnvironment = new RedshiftDataClient({ region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' }, maxAttempts: 1 });
      expect((await runSql(fromEnvironment, 'select 2 as two')).rows).toEqual([{ two: 2 }]);
      fromEnvironment.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA;
      else process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA = saved;
    }
  });
});
