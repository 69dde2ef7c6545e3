import { describeSampleRun } from './sample-run';

describeSampleRun('postgres');
