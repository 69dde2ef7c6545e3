/**
 * Orchestration cost of one full run on AWS, as a pure model (no AWS, no engine): replays the path that
 * statemachine/etl.asl.yml takes for a full run (one load, the cluster already available, no pause) with
 * statement durations modelled on AWS, and counts state transitions and Lambda invocations for fixed
 * 5-second polling against the project's backoff (POLL_WAIT in src/pipeline/poll.ts).
 *
 * Prices (us-east-1, checked against the public pages):
 * - Step Functions Standard: $0.025 per 1,000 state transitions — https://aws.amazon.com/step-functions/pricing/
 * - Lambda: $0.20 per 1M requests, and duration at $0.0000133334 per GB-second on arm64 —
 *   https://aws.amazon.com/lambda/pricing/ . Assumption: every invocation (submit, poll, plan, report…)
 *   bills 200 ms at the deployment's 256 MB (serverless.yml: memorySize 256, architecture arm64).
 * The free tiers are ignored. Run with `npm run bench:orchestration`.
 */
import { POLL_WAIT, nextWaitSeconds } from '../src/pipeline/poll';

/** Statement durations in seconds, modelled on a small provisioned Redshift cluster. */
export const STATEMENT_SECONDS = {
  createTables: 5,
  stageSongs: 3 * 60,
  stageEvents: 50 * 60,
  checkLoad: 2 * 60,
  publishLoad: 3 * 60,
  countRows: 10,
} as const;

export type Polling = 'backoff' | 'fixed5s';

export interface Tally {
  transitions: number;
  lambdaInvocations: number;
  pollRounds: number;
}

/** Poll rounds until a statement of `seconds` is seen FINISHED: each round waits, then polls once. */
export function pollRounds(seconds: number, polling: Polling): number {
  let waited = 0;
  let wait: number = POLL_WAIT.initialSeconds;
  let rounds = 0;
  for (;;) {
    waited += wait;
    rounds++;
    if (waited >= seconds) return rounds;
    wait = polling === 'backoff' ? nextWaitSeconds(wait) : 5;
  }
}

/** One full run's tally for the given durations. */
export function replayFullRun(polling: Polling, durations: Record<keyof typeof STATEMENT_SECONDS, number> = STATEMENT_SECONDS): Tally {
  const tally: Tally = { transitions: 0, lambdaInvocations: 0, pollRounds: 0 };
  const pass = () => { tally.transitions++; };
  const choice = () => { tally.transitions++; };
  const task = () => { tally.transitions++; tally.lambdaInvocations++; };
  /** Submit (Task), then per round Wait + Poll (Task) + Choice. */
  const sqlStage = (seconds: number) => {
    task();
    const rounds = pollRounds(seconds, polling);
    tally.pollRounds += rounds;
    tally.transitions += 3 * rounds;
    tally.lambdaInvocations += rounds;
  };
  pass(); // Start
  task(); // PlanRun
  task(); // EnsureWarehouse (available: no WaitForWarehouse)
  choice(); // WarehouseReady
  sqlStage(durations.createTables);
  sqlStage(durations.stageSongs);
  tally.transitions++; // LoadEachDay (Map)
  sqlStage(durations.stageEvents);
  sqlStage(durations.checkLoad);
  task(); // ReviewLoad
  sqlStage(durations.publishLoad);
  pass(); // LoadPublished
  task(); // CleanUpRun
  sqlStage(durations.countRows);
  task(); // ReportResults
  choice(); // ShouldPause (pauseAfterLoad false)
  pass(); // Done
  return tally;
}

export const PRICE = {
  perTransition: 0.025 / 1000,
  perRequest: 0.2 / 1e6,
  perGbSecondArm: 0.0000133334,
  billedSeconds: 0.2,
  memoryGb: 256 / 1024,
} as const;

export function dollars(tally: Tally): { stepFunctions: number; lambda: number; total: number } {
  const stepFunctions = tally.transitions * PRICE.perTransition;
  const lambda = tally.lambdaInvocations * (PRICE.perRequest + PRICE.billedSeconds * PRICE.memoryGb * PRICE.perGbSecondArm);
  return { stepFunctions, lambda, total: stepFunctions + lambda };
}

const TARGET_TRANSITIONS = 100;

function main(): void {
  const durations = Object.entries(STATEMENT_SECONDS).map(([stage, s]) => `${stage} ${s >= 60 ? `${s / 60} min` : `${s} s`}`).join(', ');
  console.log(`One full run (one load), modelled statement durations: ${durations}`);
  console.log(`Backoff: POLL_WAIT ${POLL_WAIT.initialSeconds} s ×${POLL_WAIT.factor} up to ${POLL_WAIT.maxSeconds} s; fixed: 5 s. Lambda: 200 ms at 256 MB arm64 per invocation.\n`);
  const rows = (['backoff', 'fixed5s'] as const).map((polling) => {
    const tally = replayFullRun(polling);
    const cost = dollars(tally);
    return { polling, ...tally, copyRounds: pollRounds(STATEMENT_SECONDS.stageEvents, polling), ...cost };
  });
  const header = '| polling | COPY poll rounds | all poll rounds | transitions | Lambda invocations | Step Functions $/run | Lambda $/run | total $/run | $/year (365 runs) |';
  console.log(header);
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    console.log(`| ${r.polling === 'backoff' ? 'backoff (POLL_WAIT)' : 'fixed 5 s'} | ${r.copyRounds} | ${r.pollRounds} | ${r.transitions} | ${r.lambdaInvocations} | ${r.stepFunctions.toFixed(5)} | ${r.lambda.toFixed(6)} | ${r.total.toFixed(5)} | ${(r.total * 365).toFixed(2)} |`);
  }
  const backoff = rows[0];
  console.log(`\nTarget: at most ${TARGET_TRANSITIONS} transitions for a run whose COPY takes 50 minutes — ${backoff.transitions <= TARGET_TRANSITIONS ? 'met' : 'NOT met'} with backoff (${backoff.transitions}); fixed 5 s polling takes ${rows[1].transitions}.`);
}

if (require.main === module) main();
