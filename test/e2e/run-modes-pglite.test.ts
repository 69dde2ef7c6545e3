import { describeRunModes } from './run-modes';

describeRunModes('pglite');
