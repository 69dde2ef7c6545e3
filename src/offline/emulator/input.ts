/**
 * Request validation with the Data API's wording: "1 validation error detected: Value … at '…' failed
 * to satisfy constraint: …". The SDK validates nothing itself, so the emulator has to.
 */
import { validationError } from './api-error';

export type Json = Record<string, unknown>;

function constraintError(value: unknown, member: string, constraint: string) {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return validationError(`1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** The request member names in the model are PascalCase; the messages name them in camelCase. */
const memberPath = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

type StringLimits = { min?: number; max?: number; pattern?: RegExp };

export function optionalString(input: Json, name: string, limits: StringLimits = {}): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${name} must be a string.`);
  if (limits.min !== undefined && value.length < limits.min) {
    throw constraintError(value, memberPath(name), `Member must have length greater than or equal to ${limits.min}`);
  }
  if (limits.max !== undefined && value.length > limits.max) {
    throw constraintError(value, memberPath(name), `Member must have length less than or equal to ${limits.max}`);
  }
  if (limits.pattern && !limits.pattern.test(value)) {
    throw constraintError(value, memberPath(name), `Member must satisfy regular expression pattern: ${limits.pattern.source}`);
  }
  return value;
}

export function requiredString(input: Json, name: string, limits: StringLimits = {}): string {
  const value = optionalString(input, name, limits);
  if (value === undefined) throw validationError(`1 validation error detected: Value null at '${memberPath(name)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function optionalInteger(input: Json, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError(`${name} must be an integer.`);
  if (value < min) throw constraintError(value, memberPath(name), `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraintError(value, memberPath(name), `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalStringList(input: Json, name: string, min: number, max: number): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw validationError(`${name} must be a list of strings.`);
  if (value.length < min) throw constraintError(value, memberPath(name), `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintError(value, memberPath(name), `Member must have length less than or equal to ${max}`);
  return value as string[];
}

export function optionalEnum<T extends string>(input: Json, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, name);
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw constraintError(value, memberPath(name), `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

const PARAMETER_NAME = /^[0-9a-zA-Z_]+$/;

/** Named SQL parameters: names match the model's pattern; values are non-empty strings ("null" is text). */
export function optionalParameters(input: Json): { name: string; value: string }[] | undefined {
  const value = input.Parameters;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validationError('Parameters must be a list of {name, value}.');
  if (value.length === 0) throw constraintError(value, 'parameters', 'Member must have length greater than or equal to 1');
  return value.map((parameter: unknown, index) => {
    if (typeof parameter !== 'object' || parameter === null) throw validationError('Parameters must be a list of {name, value}.');
    const entry = parameter as Json;
    const at = `parameters.${index + 1}.member`;
    if (typeof entry.name !== 'string' || !PARAMETER_NAME.test(entry.name)) {
      throw constraintError(entry.name ?? null, `${at}.name`, `Member must satisfy regular expression pattern: ${PARAMETER_NAME.source}`);
    }
    if (typeof entry.value !== 'string') throw constraintError(entry.value ?? null, `${at}.value`, 'Member must not be null');
    if (entry.value.length === 0) throw constraintError(entry.value, `${at}.value`, 'Member must have length greater than or equal to 1');
    return { name: entry.name, value: entry.value };
  });
}
