/**
 * The wait between polls grows and is capped, so long statements cost few state transitions; and how a
 * statement's description becomes progress or a named error (a transient conflict apart, to resubmit).
 */
import {
  conflictBackoffSeconds, isTransientStatementError, MAX_STATEMENT_ATTEMPTS, nextWaitSeconds, POLL_WAIT, progressOf, RUNNING_STATUSES,
  StatementAbortedError, StatementConflictError, StatementFailedError, UnknownStatementStatusError,
} from '../../src/pipeline/poll';
import type { StatementDescription } from '../../src/redshift/data-api';

test('poll waits triple from the initial wait up to the ten-minute cap', () => {
  const waits: number[] = [POLL_WAIT.initialSeconds];
  while (waits.length < 8) waits.push(nextWaitSeconds(waits[waits.length - 1]));
  expect(waits).toEqual([5, 15, 45, 135, 405, 600, 600, 600]);
});

test('a 50-minute statement costs 9 polls', () => {
  let polls = 0;
  for (let waited = 0, wait: number = POLL_WAIT.initialSeconds; waited < 50 * 60; wait = nextWaitSeconds(wait)) {
    waited += wait;
    polls += 1;
  }
  expect(polls).toBe(9);
});

describe('progressOf: a DescribeStatement answer to the next step', () => {
  const previous = { waitSeconds: 10, attempt: 2, submittedAt: 1_700_000_000_000 };
  const described = (fields: Partial<StatementDescription>): StatementDescription =>
    ({ $metadata: {}, Id: 'abc', QueryString: 'SELECT 1', ...fields }) as StatementDescription;

  test('FINISHED goes on with its rows; a running status waits longer; both keep the attempt and submission time', () => {
    expect(progressOf('countRows', described({ Status: 'FINISHED', ResultRows: 6 }), previous)).toEqual({
      stage: 'countRows', statementId: 'abc', status: 'FINISHED', resultRows: 6, copiedRows: null, waitSeconds: 0, attempt: 2, submittedAt: previous.submittedAt,
    });
    for (const status of RUNNING_STATUSES) {
      expect(progressOf('countRows', described({ Status: status, ResultRows: -1 }), previous)).toEqual({
        stage: 'countRows', statementId: 'abc', status, resultRows: null, copiedRows: null, waitSeconds: 30, attempt: 2, submittedAt: previous.submittedAt,
      });
    }
  });

  test("a finished staging batch reports its COPYs' rows apart from the sum over its statements", () => {
    const sub = (QueryString: string, ResultRows: number) => ({ Id: `abc:${QueryString.length}`, QueryString, ResultRows });
    const batch = described({
      Status: 'FINISHED', ResultRows: 211,
      SubStatements: [sub('DROP TABLE IF EXISTS s', 0), sub('CREATE TABLE s (a int)', 0), sub("-- Stage the songs.\n/* as JSON */ COPY s FROM 's3://b/song_data'", 71), sub('CREATE TABLE t AS SELECT a FROM s', 140)],
    });
    expect(progressOf('stageSongs', batch, previous)).toMatchObject({ resultRows: 211, copiedRows: 71 });
    // A single COPY statement counts itself; a batch without one reports none.
    expect(progressOf('stageEvents', described({ Status: 'FINISHED', ResultRows: 9, QueryString: 'copy e from ...' }), previous)).toMatchObject({ copiedRows: 9 });
    expect(progressOf('checkLoad', described({ Status: 'FINISHED', ResultRows: 5, SubStatements: [sub('CREATE TABLE x AS SELECT 1', 5)] }), previous))
      .toMatchObject({ copiedRows: null });
  });

  test.each([
    'ERROR: 1023 DETAIL: Serializable isolation violation on table - 0, transactions forming the cycle are: 1234 (pid:56)',
    'ERROR: could not serialize access due to read/write dependencies among transactions',
    'ERROR: server closed the connection unexpectedly',
  ])('FAILED with a transient error (%s) is a StatementConflict, which pollStatement resubmits', (error) => {
    const failed = () => progressOf('publishLoad', described({ Status: 'FAILED', Error: error, QueryString: 'LOCK songplays' }), previous);
    expect(failed).toThrow(StatementConflictError);
    expect(failed).toThrow(`Stage publishLoad: statement abc failed: ${error} | SQL: LOCK songplays`);
  });

  test('FAILED with any other error is a StatementFailed, naming the failing sub-statement of a batch', () => {
    const description = described({
      Status: 'FAILED', Error: 'ERROR: relation "no_such_table" does not exist', QueryString: undefined,
      SubStatements: [{ Id: 'abc:1', Status: 'FINISHED', QueryString: 'SELECT 1' }, { Id: 'abc:2', Status: 'FAILED', QueryString: 'SELECT *\n  FROM no_such_table' }],
    });
    const failed = () => progressOf('checkLoad', description, previous);
    expect(failed).toThrow(StatementFailedError);
    expect(failed).not.toThrow(StatementConflictError);
    expect(failed).toThrow('Stage checkLoad: statement abc failed: ERROR: relation "no_such_table" does not exist | SQL: SELECT * FROM no_such_table');
    // "1023" elsewhere in the text is no conflict.
    expect(isTransientStatementError('ERROR: value 1023 is out of range')).toBe(false);
  });

  test('ABORTED and an unknown status end the stage, never another wait', () => {
    expect(() => progressOf('stageSongs', described({ Status: 'ABORTED' }), previous)).toThrow(StatementAbortedError);
    expect(() => progressOf('stageSongs', described({ Status: 'QUEUED' as StatementDescription['Status'] }), previous)).toThrow(UnknownStatementStatusError);
  });

  test('resubmissions wait 5 s, 10 s, 20 s, … capped at 120 s, up to MAX_STATEMENT_ATTEMPTS submissions', () => {
    expect([2, 3, 4, 5, 6, 7, 8].map(conflictBackoffSeconds)).toEqual([5, 10, 20, 40, 80, 120, 120]);
    expect(MAX_STATEMENT_ATTEMPTS).toBe(5);
  });
});
