/**
 * The Data API operations: request in, response out, as plain JSON objects. HTTP lives in server.ts.
 */
import { ApiError, queryNotFound, validationError } from './api-error';
import {
  optionalEnum,
  optionalInteger,
  optionalParameters,
  optionalString,
  optionalStringList,
  requiredString,
  type Json,
} from './input';
import type { EngineSession } from '../engines';
import type { Metadata } from './metadata';
import { makeNextToken, pageOf, readNextToken } from './paging';
import { DataSession } from './sessions';
import { toColumnMetadata, type KeptResults } from './results';
import { isTerminal, Statement, Submission, type StatementRunner, type SubmissionContext } from './statements';

const STATEMENT_ID = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d{0,2})?$/;
const MAX_SQL_BYTES = 100 * 1024;
const MAX_BATCH_STATEMENTS = 40;
const MAX_ACTIVE_STATEMENTS = 200;
const RESULT_RETENTION_MS = 24 * 60 * 60 * 1000;
const LIST_STATEMENTS_DEFAULT_PAGE = 100;
const STATUS_VALUES = ['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'ABORTED', 'FAILED', 'ALL'] as const;

type Operation = (input: Json) => Promise<Json>;

/** Epoch seconds with milliseconds, the awsJson timestamp format. */
const epochSeconds = (ms: number) => ms / 1000;

/** The Data API operations the emulator answers (fault plans name them). */
export const DATA_API_OPERATIONS = [
  'ExecuteStatement', 'BatchExecuteStatement', 'DescribeStatement', 'GetStatementResult', 'CancelStatement', 'ListStatements',
  'ListDatabases', 'ListSchemas', 'ListTables', 'DescribeTable',
] as const;

export type DataApiOperation = (typeof DATA_API_OPERATIONS)[number];

export class DataApi {
  private readonly submissions = new Map<string, Submission>();
  private readonly idsByClientToken = new Map<string, string>();
  private readonly sessions = new Map<string, DataSession>();

  readonly operations: Record<DataApiOperation, Operation> = {
    ExecuteStatement: (input) => this.executeStatement(input),
    BatchExecuteStatement: (input) => this.batchExecuteStatement(input),
    DescribeStatement: (input) => this.describeStatement(input),
    GetStatementResult: (input) => this.getStatementResult(input),
    CancelStatement: (input) => this.cancelStatement(input),
    ListStatements: (input) => this.listStatements(input),
    ListDatabases: (input) => this.metadata.listDatabases(input),
    ListSchemas: (input) => this.metadata.listSchemas(input, this.sessionConnection()),
    ListTables: (input) => this.metadata.listTables(input, this.sessionConnection()),
    DescribeTable: (input) => this.metadata.describeTable(input, this.sessionConnection()),
  };

  constructor(
    private readonly runner: StatementRunner,
    private readonly metadata: Metadata,
    private readonly databaseName: string,
    private readonly keptResults: KeptResults,
  ) {}

  /** Cancels what still runs, waits for it to end, and ends every Data API session; for stopping. */
  async close(): Promise<void> {
    await this.stopAll();
  }

  /**
   * For a warehouse restart: what has not ended FAILs with `error`, and every Data API session ends.
   * Statements, results and client tokens stay, as the Data API outlives a cluster reboot.
   */
  async interrupt(error: string): Promise<void> {
    await this.stopAll(error);
  }

  /** Stops every statement not ended (ABORTED, or FAILED with `error`) and ends every Data API session. */
  private async stopAll(error?: string): Promise<void> {
    const running = [...this.submissions.values()].filter((submission) => !isTerminal(submission.top.status));
    if (error !== undefined) for (const submission of running) submission.markFailed(error);
    await Promise.all(running.map((submission) => this.stop(submission)));
    // An idle session may hold PGlite's one connection, and a cancelled statement queued behind it only
    // settles once it gets that connection: end idle sessions first, busy ones once their statement ends.
    const idleFirst = [...this.sessions.values()].filter((session) => !session.busy);
    await Promise.all(idleFirst.map((session) => session.end()));
    await Promise.all(running.map((submission) => submission.settled));
    await Promise.all([...this.sessions.values()].map((session) => session.end()));
  }

  /**
   * On PGlite's one connection, an open Data API session holds the connection for as long as it is kept
   * alive (up to 24 h). Catalogue reads then borrow it rather than wait for the session to end: they only
   * read pg_catalog, and PGlite runs one request at a time, so at worst a read falls between two queries
   * of the session's running statement.
   */
  private sessionConnection(): EngineSession | undefined {
    if (this.runner.engineKind !== 'pglite') return undefined;
    for (const session of this.sessions.values()) {
      const connection = session.heldEngineSession;
      if (connection) return connection;
    }
    return undefined;
  }

  private async executeStatement(input: Json): Promise<Json> {
    const sql = requiredString(input, 'Sql', { min: 1 });
    checkSqlSize(sql);
    return this.submit(input, [sql], false);
  }

  private async batchExecuteStatement(input: Json): Promise<Json> {
    const sqls = optionalStringList(input, 'Sqls', 1, MAX_BATCH_STATEMENTS);
    if (sqls === undefined) throw validationError("1 validation error detected: Value null at 'sqls' failed to satisfy constraint: Member must not be null");
    sqls.forEach(checkSqlSize);
    return this.submit(input, sqls, true);
  }

  private async submit(input: Json, sqls: string[], isBatch: boolean): Promise<Json> {
    const clientToken = optionalString(input, 'ClientToken', { min: 1, max: 64 });
    const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 1, 30);
    const repeated = clientToken === undefined ? undefined : this.submissions.get(this.idsByClientToken.get(clientToken) ?? '');
    const submission = repeated ?? this.accept(input, sqls, isBatch, clientToken);
    const { context } = submission;
    if (waitSeconds !== undefined) await settledWithin(submission, waitSeconds);
    return {
      Id: submission.id,
      SessionId: submission.dataSession?.id,
      CreatedAt: epochSeconds(submission.top.createdAt),
      ClusterIdentifier: context.clusterIdentifier,
      WorkgroupName: context.workgroupName,
      Database: context.database,
      DbUser: context.dbUser,
      SecretArn: context.secretArn,
      // Added to the model for WaitTimeSeconds: the state reached while the call waited.
      ...(waitSeconds === undefined
        ? {}
        : { Status: submission.top.status, RedshiftPid: submission.redshiftPid, HasResultSet: hasResultSet(submission) }),
    };
  }

  private accept(input: Json, sqls: string[], isBatch: boolean, clientToken?: string): Submission {
    this.forgetExpired();
    const active = [...this.submissions.values()].filter((submission) => !isTerminal(submission.top.status)).length;
    if (active >= MAX_ACTIVE_STATEMENTS) {
      throw new ApiError('ActiveStatementsExceededException', 400, `Active statements exceeded the allowed quota (${MAX_ACTIVE_STATEMENTS}).`);
    }
    const { context, dataSession } = this.readContext(input, isBatch);
    if (dataSession) dataSession.busy = true;
    const submission = new Submission(context, sqls, isBatch, dataSession);
    this.submissions.set(submission.id, submission);
    if (clientToken !== undefined) this.idsByClientToken.set(clientToken, submission.id);
    this.runner.start(submission);
    return submission;
  }

  /** Where and how the call's SQL runs, and in which Data API session, if any. */
  private readContext(input: Json, isBatch: boolean): { context: SubmissionContext; dataSession?: DataSession } {
    if (optionalEnum(input, 'ResultFormat', ['JSON', 'CSV']) === 'CSV') {
      throw validationError('This emulator returns JSON results only: ResultFormat CSV is not supported.');
    }
    const callSettings = {
      statementName: optionalString(input, 'StatementName', { max: 2048 }),
      parameters: optionalParameters(input),
      executionMode: (isBatch ? optionalEnum(input, 'ExecutionMode', ['TRANSACTION', 'AUTO_COMMIT']) : undefined) ?? 'TRANSACTION',
    } as const;
    const sessionId = optionalString(input, 'SessionId', { pattern: STATEMENT_ID });
    const keepAliveSeconds = optionalInteger(input, 'SessionKeepAliveSeconds', 0, 86_400);
    if (sessionId !== undefined) {
      if (keepAliveSeconds !== undefined) throw validationError('SessionKeepAliveSeconds can only be set when a session is opened, not with SessionId.');
      const dataSession = this.sessions.get(sessionId);
      if (!dataSession?.isOpen) throw new ApiError('ResourceNotFoundException', 404, 'Session does not exist or has expired.', { ResourceId: sessionId });
      if (dataSession.busy) throw validationError(`Session ${sessionId} is busy: statements in a session run one at a time.`);
      return { context: { ...dataSession.context, ...callSettings }, dataSession };
    }
    const clusterIdentifier = optionalString(input, 'ClusterIdentifier', { min: 1, max: 63, pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/ });
    const workgroupName = optionalString(input, 'WorkgroupName', { min: 3, max: 128 });
    if ((clusterIdentifier === undefined) === (workgroupName === undefined)) {
      throw validationError('Either ClusterIdentifier or WorkgroupName must be specified, but not both.');
    }
    const target = {
      database: optionalString(input, 'Database') ?? this.databaseName,
      dbUser: optionalString(input, 'DbUser'),
      clusterIdentifier,
      workgroupName,
      secretArn: optionalString(input, 'SecretArn'),
    };
    const dataSession = keepAliveSeconds ? this.openSession(target, keepAliveSeconds) : undefined;
    return { context: { ...target, ...callSettings }, dataSession };
  }

  private openSession(target: DataSession['context'], keepAliveSeconds: number): DataSession {
    const dataSession = new DataSession(target, keepAliveSeconds, (ended) => this.sessions.delete(ended.id));
    this.sessions.set(dataSession.id, dataSession);
    return dataSession;
  }

  private async describeStatement(input: Json): Promise<Json> {
    const { submission, statement } = this.find(requiredId(input));
    const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 1, 30);
    if (waitSeconds !== undefined) await settledWithin(submission, waitSeconds);
    const { context } = submission;
    const isTop = statement === submission.top;
    return {
      Id: statement.id,
      Status: statement.status,
      CreatedAt: epochSeconds(statement.createdAt),
      UpdatedAt: epochSeconds(statement.updatedAt),
      Duration: statement.durationNs,
      Error: statement.error,
      QueryString: statement.queryString,
      HasResultSet: isTop ? hasResultSet(submission) : statement.hasResultSet,
      ResultRows: isTop ? submission.resultRows : statement.resultRows,
      ResultSize: isTop ? submission.units.reduce((sum, unit) => sum + unitResultSize(unit), 0) : unitResultSize(statement),
      RedshiftPid: submission.redshiftPid,
      RedshiftQueryId: statement.redshiftQueryId,
      Database: context.database,
      DbUser: context.dbUser,
      ClusterIdentifier: context.clusterIdentifier,
      WorkgroupName: context.workgroupName,
      SecretArn: context.secretArn,
      ResultFormat: 'JSON',
      SessionId: submission.dataSession?.id,
      ...(submission.isBatch ? { ExecutionMode: context.executionMode } : {}),
      QueryParameters: context.parameters,
      SubStatements: isTop && submission.isBatch ? submission.units.map(describeSubStatement) : undefined,
    };
  }

  private async getStatementResult(input: Json): Promise<Json> {
    const id = requiredId(input);
    const { submission, statement } = this.find(id);
    if (submission.isBatch && statement === submission.top) {
      throw validationError('BatchExecuteStatement result can only be retrieved with sub-statement id.');
    }
    const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 1, 30);
    if (waitSeconds !== undefined) await settledWithin(submission, waitSeconds);
    const result = statement.status === 'FINISHED' ? statement.result : undefined;
    if (!result) throw validationError('Query does not have result. Please check query status with DescribeStatement.');
    // Evicted to keep the kept results within their cap: as after the 24 hours a result is kept.
    if (result.evicted) throw queryNotFound(id);
    const pageIndex = readNextToken(optionalString(input, 'NextToken'), id);
    return {
      Records: result.page(pageIndex),
      ColumnMetadata: result.columns.map((column) => toColumnMetadata(column)),
      TotalNumRows: result.rows,
      NextToken: pageIndex + 1 < result.pageCount ? makeNextToken(id, pageIndex + 1) : undefined,
    };
  }

  private async cancelStatement(input: Json): Promise<Json> {
    const { submission } = this.find(requiredId(input));
    const { top } = submission;
    if (isTerminal(top.status)) {
      throw validationError(`Could not cancel a query that is already in ${top.status} state with ID: ${top.id}`);
    }
    await this.stop(submission);
    return { Status: true };
  }

  private async stop(submission: Submission): Promise<void> {
    if (submission.aborter.signal.aborted) return; // a cancel is already under way
    const waiting = submission.top.status === 'SUBMITTED' || submission.top.status === 'PICKED';
    submission.aborter.abort();
    if (waiting) {
      // Not on the engine yet: it ends now; the runner lets go of the session as soon as it gets one.
      submission.markAborted();
    } else {
      // The engine stops the running SQL; the runner then rolls back and ends the statement ABORTED.
      await submission.session?.cancel();
    }
  }

  private async listStatements(input: Json): Promise<Json> {
    const status = optionalEnum(input, 'Status', STATUS_VALUES) ?? 'FINISHED';
    const namePrefix = optionalString(input, 'StatementName');
    const database = optionalString(input, 'Database');
    const pageSize = optionalInteger(input, 'MaxResults', 0, 100) || LIST_STATEMENTS_DEFAULT_PAGE;
    const matching = [...this.submissions.values()]
      .filter((submission) => status === 'ALL' || submission.top.status === status)
      .filter((submission) => namePrefix === undefined || (submission.context.statementName ?? '').startsWith(namePrefix))
      .filter((submission) => database === undefined || submission.context.database === database)
      .reverse(); // newest first
    const offset = readNextToken(optionalString(input, 'NextToken'), 'ListStatements');
    const { page, nextToken } = pageOf(matching, offset, pageSize, 'ListStatements');
    return {
      Statements: page.map((submission) => ({
        Id: submission.id,
        Status: submission.top.status,
        StatementName: submission.context.statementName,
        CreatedAt: epochSeconds(submission.top.createdAt),
        UpdatedAt: epochSeconds(submission.top.updatedAt),
        IsBatchStatement: submission.isBatch,
        ...(submission.isBatch
          ? { QueryStrings: submission.units.map((unit) => unit.queryString) }
          : { QueryString: submission.top.queryString }),
        QueryParameters: submission.context.parameters,
        SecretArn: submission.context.secretArn,
        SessionId: submission.dataSession?.id,
        ResultFormat: 'JSON',
      })),
      NextToken: nextToken,
    };
  }

  private find(id: string): { submission: Submission; statement: Statement } {
    const [parentId, subNumber] = id.split(':');
    const submission = this.submissions.get(parentId);
    if (!submission) throw queryNotFound(id);
    if (subNumber === undefined) return { submission, statement: submission.top };
    const statement = submission.isBatch ? submission.units[Number(subNumber) - 1] : undefined;
    if (!statement) throw queryNotFound(id);
    return { submission, statement };
  }

  /** Results are kept 24 hours, as by the Data API. */
  private forgetExpired(): void {
    const cutoff = Date.now() - RESULT_RETENTION_MS;
    for (const [id, submission] of this.submissions) {
      if (submission.top.createdAt >= cutoff) break; // insertion order is creation order
      if (!isTerminal(submission.top.status)) continue;
      this.submissions.delete(id);
      for (const unit of submission.units) if (unit.result) this.keptResults.forget(unit.result);
    }
    for (const [token, id] of this.idsByClientToken) if (!this.submissions.has(id)) this.idsByClientToken.delete(token);
  }
}

function requiredId(input: Json): string {
  const id = requiredString(input, 'Id');
  if (!STATEMENT_ID.test(id)) throw validationError(`id must satisfy regex pattern: ${STATEMENT_ID.source}`);
  return id;
}

function checkSqlSize(sql: string): void {
  if (Buffer.byteLength(sql) > MAX_SQL_BYTES) throw validationError('Cannot process query string larger than 100kB');
}

function hasResultSet(submission: Submission): boolean {
  return submission.units.some((unit) => unit.hasResultSet);
}

/** A batch parent's ResultSize is the sum over its sub-statements, as its ResultRows is. */
function unitResultSize(unit: Statement): number {
  return unit.result?.size ?? 0;
}

function describeSubStatement(unit: Statement): Json {
  return {
    Id: unit.id,
    Status: unit.status,
    CreatedAt: epochSeconds(unit.createdAt),
    UpdatedAt: epochSeconds(unit.updatedAt),
    Duration: unit.durationNs,
    Error: unit.error,
    QueryString: unit.queryString,
    HasResultSet: unit.hasResultSet,
    ResultRows: unit.resultRows,
    ResultSize: unitResultSize(unit),
    RedshiftQueryId: unit.redshiftQueryId,
  };
}

async function settledWithin(submission: Submission, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([submission.settled, new Promise((resolve) => (timer = setTimeout(resolve, seconds * 1000)))]);
  clearTimeout(timer);
}
