/**
 * The one handler behind every ETL stage Lambda: validate, submit, and return the statement id at once.
 * With {"wait": true} (a stage run by hand) it waits and returns the outcome; for checkQuality that
 * includes the run report, or the QualityCheckFailed error.
 */
import { submitStatement } from '../redshift/data-api';
import { getRuntime, lambdaHandler, logger } from './lambda';
import { POLL_WAIT, waitForStatement, type StatementProgress } from './poll';
import { assertChecksPassed, readRunReport, type RunReport } from './report';
import { parseInput, stageEventSchema, type StageEvent } from './run-input';
import { stageSubmission, type Stage } from './stages';

export function stageHandler(stage: Stage) {
  return lambdaHandler(stage, async (event: StageEvent): Promise<StatementProgress & { report?: RunReport }> => {
    const { run, wait } = parseInput(stageEventSchema, event, `${stage} input`);
    const { config, client } = getRuntime();
    const statementId = await submitStatement(client, config.target, stageSubmission(stage, config, run));
    logger.info('Statement submitted', { stage, statementId });
    if (wait) {
      const outcome = await waitForStatement(client, stage, statementId);
      logger.info('Statement finished', { ...outcome });
      if (stage !== 'checkQuality') return outcome;
      // Run by hand, the checks' verdict is the outcome (what reportResults gives the state machine):
      // the statement finishing only says the checks were counted.
      const report = await readRunReport(client, statementId);
      assertChecksPassed(report);
      return { ...outcome, report };
    }
    return { stage, statementId, status: 'SUBMITTED', resultRows: null, waitSeconds: POLL_WAIT.initialSeconds };
  });
}
