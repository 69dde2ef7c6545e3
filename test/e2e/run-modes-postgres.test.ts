import { describeRunModes } from './run-modes';

describeRunModes('postgres');
