import { describeSampleRun } from './sample-run';

describeSampleRun('pglite');
