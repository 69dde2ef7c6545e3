/** The wait between polls grows and is capped, so long statements cost few state transitions. */
import { nextWaitSeconds, POLL_WAIT } from '../../src/pipeline/poll';

test('poll waits double from the initial wait up to the cap', () => {
  const waits: number[] = [POLL_WAIT.initialSeconds];
  while (waits.length < 8) waits.push(nextWaitSeconds(waits[waits.length - 1]));
  expect(waits).toEqual([5, 10, 20, 40, 80, 120, 120, 120]);
});

test('a 50-minute statement costs fewer than 30 polls', () => {
  let polls = 0;
  for (let waited = 0, wait: number = POLL_WAIT.initialSeconds; waited < 50 * 60; wait = nextWaitSeconds(wait)) {
    waited += wait;
    polls += 1;
  }
  expect(polls).toBeLessThan(30);
});
