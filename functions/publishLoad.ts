import { stageHandler } from '../src/pipeline/stage-handler';

export const handler = stageHandler('publishLoad');
