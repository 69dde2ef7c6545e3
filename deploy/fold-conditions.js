'use strict';
/**
 * Folds the template's conditions that compare constants (serverless.yml's conditions compare resolved
 * parameters): resources and outputs whose condition is false go, each Fn::If on such a condition becomes
 * its branch, AWS::NoValue is dropped, and the folded conditions leave the template. A condition that
 * depends on a CloudFormation parameter or a pseudo parameter is left as it is.
 * Also drops DependsOn entries that a Ref or Fn::GetAtt in the same resource already enforces.
 */

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const NO_VALUE = Symbol('AWS::NoValue');

/** true or false for a condition made of constants, undefined otherwise. */
function evaluate(expression, conditions, seen = new Set()) {
  if (typeof expression === 'string' || typeof expression === 'number' || typeof expression === 'boolean') return undefined;
  if (!isObject(expression)) return undefined;
  const [[fn, args]] = Object.entries(expression).length === 1 ? Object.entries(expression) : [[undefined, undefined]];
  switch (fn) {
    case 'Condition': {
      if (seen.has(args) || !(args in conditions)) return undefined;
      return evaluate(conditions[args], conditions, new Set([...seen, args]));
    }
    case 'Fn::Equals': {
      const [a, b] = args;
      const constant = (x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
      return constant(a) && constant(b) ? String(a) === String(b) : undefined;
    }
    case 'Fn::Not': {
      const value = evaluate(args[0], conditions, seen);
      return value === undefined ? undefined : !value;
    }
    case 'Fn::And': {
      const values = args.map((a) => evaluate(a, conditions, seen));
      if (values.includes(false)) return false;
      return values.includes(undefined) ? undefined : true;
    }
    case 'Fn::Or': {
      const values = args.map((a) => evaluate(a, conditions, seen));
      if (values.includes(true)) return true;
      return values.includes(undefined) ? undefined : false;
    }
    default:
      return undefined;
  }
}

function foldValue(value, known) {
  if (Array.isArray(value)) {
    return value.map((item) => foldValue(item, known)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && value.Ref === 'AWS::NoValue') return NO_VALUE;
  if (keys.length === 1 && keys[0] === 'Fn::If' && known.has(value['Fn::If'][0])) {
    const [name, whenTrue, whenFalse] = value['Fn::If'];
    return foldValue(known.get(name) ? whenTrue : whenFalse, known);
  }
  const folded = {};
  for (const [key, item] of Object.entries(value)) {
    const result = foldValue(item, known);
    if (result !== NO_VALUE) folded[key] = result;
  }
  return folded;
}

function references(value, found = new Set()) {
  if (Array.isArray(value)) value.forEach((item) => references(item, found));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref' && typeof item === 'string') found.add(item);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(item) ? item[0] : String(item).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(item) ? item[0] : item;
        for (const [, name] of String(text).matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) found.add(name);
        if (Array.isArray(item)) references(item[1], found);
      } else references(item, found);
    }
  }
  return found;
}

/** Folds the template in place and returns it. */
function foldConditions(template) {
  const conditions = template.Conditions || {};
  const known = knownConditions(conditions);

  for (const section of ['Resources', 'Outputs']) {
    const entries = template[section] || {};
    for (const [id, entry] of Object.entries(entries)) {
      if (entry.Condition !== undefined && known.has(entry.Condition)) {
        if (!known.get(entry.Condition)) {
          delete entries[id];
          continue;
        }
        delete entry.Condition;
      }
      entries[id] = foldValue(entry, known);
    }
  }
  for (const name of known.keys()) delete conditions[name];
  if (template.Conditions && Object.keys(template.Conditions).length === 0) delete template.Conditions;

  for (const resource of Object.values(template.Resources || {})) {
    if (resource.DependsOn === undefined) continue;
    const enforced = references({ ...resource, DependsOn: undefined });
    const dependsOn = [].concat(resource.DependsOn).filter((id) => !enforced.has(id) && id in template.Resources);
    if (dependsOn.length === 0) delete resource.DependsOn;
    else resource.DependsOn = dependsOn;
  }
  return template;
}

/** The conditions that fold to true or false. */
function knownConditions(conditions = {}) {
  const known = new Map();
  for (const name of Object.keys(conditions)) {
    const value = evaluate({ Condition: name }, conditions);
    if (value !== undefined) known.set(name, value);
  }
  return known;
}

/** Folds one value (such as provider.environment) against the template's conditions. */
function foldWith(value, conditions) {
  const folded = foldValue(value, knownConditions(conditions));
  return folded === NO_VALUE ? undefined : folded;
}

module.exports = { foldConditions, foldWith, evaluate };
