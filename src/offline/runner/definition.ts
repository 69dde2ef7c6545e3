/**
 * Reads the state machine the way `serverless deploy` does: statemachine/etl.asl.yml for the states,
 * serverless.yml for which handler module each `Fn::GetAtt: [<functionKey>, Arn]` names. The result is
 * the same definition with each Task's Resource replaced by a placeholder ARN (the interpreter validates
 * ARNs), plus what the runner needs to put in their place.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { offlineLambdaArn } from './lambda';

export const STATE_MACHINE_FILE = 'statemachine/etl.asl.yml';
export const SERVERLESS_FILE = 'serverless.yml';

/** What runs in place of one Task state. */
export type TaskTarget =
  | { kind: 'lambda'; functionKey: string; modulePath: string; exportName: string }
  /** Step Functions' SNS integration: offline, the notification is shown instead of sent. */
  | { kind: 'sns-publish' };

export interface OfflineStateMachine {
  definition: StateMachineDefinition;
  /** By state name; ASL state names are unique across the whole machine, branches included. */
  tasks: Map<string, TaskTarget>;
  waitStates: string[];
  /** States with a Retry field, whose retry intervals the runner shortens. */
  retryStates: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SNS_PUBLISH = /^arn:aws[a-z-]*:states:::sns:publish$/;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readYaml(file: string): Promise<Json> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read ${file}: ${error.message}`);
  });
  // Serverless variables (${…}) stay unresolved strings here; the ASL's ${param:…} are resolved below.
  return parse(text, { logLevel: 'error' }) as Json;
}

/** The handler serverless.yml gives a function key, e.g. "functions/createTables.handler". */
function handlerOf(serverless: Json, functionKey: string, serverlessFile: string): string {
  const functions = isObject(serverless) ? serverless.functions : undefined;
  const fn = isObject(functions) ? functions[functionKey] : undefined;
  const handler = isObject(fn) ? fn.handler : undefined;
  if (typeof handler !== 'string') throw new Error(`${serverlessFile} has no functions.${functionKey}.handler`);
  return handler;
}

function functionKeyOf(resource: Json | undefined): string | undefined {
  if (!isObject(resource)) return undefined;
  const getAtt = resource['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && typeof getAtt[0] === 'string' && getAtt[1] === 'Arn') return getAtt[0];
  return undefined;
}

const WHOLE_PARAM = /^\$\{param:(\w+)\}$/;

/** Replaces each value that is exactly ${param:name} with serverless.yml's default for it, as deploy would. */
function resolveParams(value: Json, serverless: Json, serverlessFile: string): Json {
  if (typeof value === 'string') {
    const name = WHOLE_PARAM.exec(value)?.[1];
    if (name === undefined) return value;
    const params = isObject(serverless) && isObject(serverless.params) ? serverless.params.default : undefined;
    const resolved = isObject(params) ? params[name] : undefined;
    if (resolved === undefined) throw new Error(`${serverlessFile} has no params.default.${name}, which the state machine uses`);
    return resolved;
  }
  if (Array.isArray(value)) return value.map((item) => resolveParams(item, serverless, serverlessFile));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveParams(item, serverless, serverlessFile)]));
  return value;
}

export async function loadStateMachine(projectRoot: string): Promise<OfflineStateMachine> {
  const aslFile = path.join(projectRoot, STATE_MACHINE_FILE);
  const serverlessFile = path.join(projectRoot, SERVERLESS_FILE);
  const [rawAsl, serverless] = await Promise.all([readYaml(aslFile), readYaml(serverlessFile)]);
  const asl = resolveParams(rawAsl, serverless, serverlessFile);
  if (!isObject(asl) || !isObject(asl.States) || typeof asl.StartAt !== 'string') {
    throw new Error(`${aslFile} is not a state machine: it needs StartAt and States`);
  }
  const tasks = new Map<string, TaskTarget>();
  const waitStates: string[] = [];
  const retryStates: string[] = [];

  const visit = (states: JsonObject): void => {
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) throw new Error(`${aslFile}: state ${name} is not an object`);
      if (state.Retry !== undefined) retryStates.push(name);
      if (state.Type === 'Wait') waitStates.push(name);
      if (state.Type === 'Task') {
        const functionKey = functionKeyOf(state.Resource);
        if (functionKey) {
          const handler = handlerOf(serverless, functionKey, serverlessFile);
          const dot = handler.lastIndexOf('.');
          tasks.set(name, {
            kind: 'lambda',
            functionKey,
            modulePath: path.join(projectRoot, handler.slice(0, dot)),
            exportName: handler.slice(dot + 1),
          });
          state.Resource = offlineLambdaArn(functionKey);
        } else if (typeof state.Resource === 'string' && SNS_PUBLISH.test(state.Resource)) {
          tasks.set(name, { kind: 'sns-publish' });
        } else {
          throw new Error(`${aslFile}: Task ${name} has Resource ${JSON.stringify(state.Resource)}, which the offline runner cannot run; use Fn::GetAtt: [<functionKey>, Arn]`);
        }
      }
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) {
        if (isObject(branch) && isObject(branch.States)) visit(branch.States);
      }
      for (const key of ['ItemProcessor', 'Iterator']) {
        const processor = state[key];
        if (isObject(processor) && isObject(processor.States)) visit(processor.States);
      }
    }
  };
  visit(asl.States);
  return { definition: asl as unknown as StateMachineDefinition, tasks, waitStates, retryStates };
}
