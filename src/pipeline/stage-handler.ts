/** The one handler behind every ETL stage Lambda: validate, submit, and return the statement id at once. */
import { submitStatement } from '../redshift/data-api';
import { getRuntime, lambdaHandler, logger } from './lambda';
import { POLL_WAIT, waitForStatement, type StatementProgress } from './poll';
import { parseInput, stageEventSchema, type StageEvent } from './run-input';
import { stageSubmission, type Stage } from './stages';

export function stageHandler(stage: Stage) {
  return lambdaHandler(stage, async (event: StageEvent): Promise<StatementProgress> => {
    const { run, wait } = parseInput(stageEventSchema, event, `${stage} input`);
    const { config, client } = getRuntime();
    const statementId = await submitStatement(client, config.target, stageSubmission(stage, config, run));
    logger.info('Statement submitted', { stage, statementId });
    if (wait) {
      const outcome = await waitForStatement(client, stage, statementId);
      logger.info('Statement finished', { ...outcome });
      return outcome;
    }
    return { stage, statementId, status: 'SUBMITTED', resultRows: null, waitSeconds: POLL_WAIT.initialSeconds };
  });
}
