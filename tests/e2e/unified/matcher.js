'use strict';
// Matching of expected against actual values by the rules of the unified test format
// ("Evaluating Matches"): root-level documents may carry extra fields, nested ones may not;
// numbers compare across int32/int64/double; special $$ operators.

const { BSON } = require('mongodb');

class MatchError extends Error {}

function typeOf(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  switch (v._bsontype) {
    case 'Int32': return 'int';
    case 'Long': return 'long';
    case 'Double': return 'double';
    case 'Decimal128': return 'decimal';
    case 'ObjectId': case 'ObjectID': return 'objectId';
    case 'Binary': return 'binData';
    case 'Timestamp': return 'timestamp';
    case 'BSONRegExp': return 'regex';
    case 'MinKey': return 'minKey';
    case 'MaxKey': return 'maxKey';
    case 'Code': return v.scope ? 'javascriptWithScope' : 'javascript';
    case 'BSONSymbol': return 'symbol';
    case 'DBRef': return 'object';
    default: return 'object';
  }
}

function isNumberType(t) {
  return t === 'int' || t === 'long' || t === 'double';
}

function numberValue(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && (v._bsontype === 'Int32' || v._bsontype === 'Double')) return v.valueOf();
  if (v && v._bsontype === 'Long') return v.toNumber();
  return NaN;
}

function isDocument(v) {
  return typeOf(v) === 'object';
}

function isSpecialOperator(v) {
  if (!isDocument(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0].startsWith('$$');
}

function fail(path, msg) {
  throw new MatchError(`${path || '<root>'}: ${msg}`);
}

function show(v) {
  try {
    return BSON.EJSON.stringify(v, { relaxed: true });
  } catch {
    return String(v);
  }
}

const TYPE_ALIASES = { number: ['int', 'long', 'double', 'decimal'] };

// ctx: { entities: Map, root: bool }
function match(expected, actual, ctx, path = '', isRoot = true) {
  // The driver keeps sort specifications as Maps to preserve key order.
  if (actual instanceof Map) actual = Object.fromEntries(actual);
  if (isSpecialOperator(expected)) {
    return matchOperator(expected, actual, ctx, path, isRoot);
  }
  const et = typeOf(expected);
  if (et === 'object') {
    if (!isDocument(actual)) fail(path, `expected a document, got ${show(actual)}`);
    for (const key of Object.keys(expected)) {
      const ev = expected[key];
      const sub = path ? `${path}.${key}` : key;
      if (isSpecialOperator(ev)) {
        const op = Object.keys(ev)[0];
        if (op === '$$exists') {
          const exists = Object.prototype.hasOwnProperty.call(actual, key) && actual[key] !== undefined;
          if (exists !== ev[op]) fail(sub, `expected ${ev[op] ? 'present' : 'absent'}, got ${show(actual[key])}`);
          continue;
        }
        if (op === '$$unsetOrMatches') {
          if (!Object.prototype.hasOwnProperty.call(actual, key) || actual[key] === undefined) continue;
          match(ev[op], actual[key], ctx, sub, false);
          continue;
        }
      }
      if (!Object.prototype.hasOwnProperty.call(actual, key) || actual[key] === undefined) {
        fail(sub, `missing (expected ${show(ev)})`);
      }
      match(ev, actual[key], ctx, sub, false);
    }
    if (!isRoot) {
      for (const key of Object.keys(actual)) {
        if (actual[key] !== undefined && !Object.prototype.hasOwnProperty.call(expected, key)) {
          fail(path, `unexpected field '${key}' in ${show(actual)}`);
        }
      }
    }
    return;
  }
  if (et === 'array') {
    if (!Array.isArray(actual)) fail(path, `expected an array, got ${show(actual)}`);
    if (actual.length !== expected.length) {
      fail(path, `expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`);
    }
    // Arrays of root-level documents (cursor results) are flagged by the caller via ctx.rootArray.
    const elementsAreRoot = isRoot && ctx.rootArray === true;
    expected.forEach((ev, i) => match(ev, actual[i], { ...ctx, rootArray: false }, `${path}[${i}]`, elementsAreRoot));
    return;
  }
  matchScalar(expected, actual, path);
}

function matchScalar(expected, actual, path) {
  const et = typeOf(expected);
  const at = typeOf(actual);
  if (isNumberType(et) && isNumberType(at)) {
    const e = numberValue(expected);
    const a = numberValue(actual);
    if (e !== a && !(Number.isNaN(e) && Number.isNaN(a))) fail(path, `expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (et !== at) fail(path, `expected type ${et} (${show(expected)}), got ${at} (${show(actual)})`);
  if (show(expected) !== show(actual)) fail(path, `expected ${show(expected)}, got ${show(actual)}`);
}

function matchOperator(expected, actual, ctx, path, isRoot) {
  const op = Object.keys(expected)[0];
  const arg = expected[op];
  switch (op) {
    case '$$type': {
      const wanted = (Array.isArray(arg) ? arg : [arg]).flatMap((t) => TYPE_ALIASES[t] || [t]);
      if (actual === undefined) fail(path, `missing (expected type ${wanted})`);
      // The driver promotes int32, int64 and double to JS numbers, so a plain number is any of them.
      const actualTypes = typeof actual === 'number' ? ['int', 'long', 'double'] : [typeOf(actual)];
      if (!actualTypes.some((t) => wanted.includes(t))) {
        fail(path, `expected type ${wanted}, got ${typeOf(actual)} (${show(actual)})`);
      }
      return;
    }
    case '$$unsetOrMatches':
      if (actual === undefined) return;
      return match(arg, actual, ctx, path, isRoot);
    case '$$exists':
      if ((actual !== undefined) !== arg) fail(path, `expected ${arg ? 'present' : 'absent'}`);
      return;
    case '$$matchesEntity':
      return match(ctx.entities.get(arg), actual, ctx, path, isRoot);
    case '$$matchesHexBytes': {
      const hex = Buffer.isBuffer(actual) ? actual.toString('hex') : (actual && actual.buffer ? Buffer.from(actual.buffer).toString('hex') : String(actual));
      if (hex.toLowerCase() !== String(arg).toLowerCase()) fail(path, `bytes ${hex} != ${arg}`);
      return;
    }
    case '$$sessionLsid': {
      const session = ctx.entities.get(arg);
      if (!session || !session.id) fail(path, `no session entity ${arg}`);
      return match(session.id, actual, ctx, path, false);
    }
    case '$$lte': {
      const a = numberValue(actual);
      if (!(a <= numberValue(arg))) fail(path, `expected <= ${show(arg)}, got ${show(actual)}`);
      return;
    }
    case '$$matchAsDocument':
      return match(arg, BSON.EJSON.parse(actual, { relaxed: false }), ctx, path, false);
    case '$$matchAsRoot':
      return match(arg, actual, ctx, path, true);
    default:
      fail(path, `unsupported special operator ${op}`);
  }
}

module.exports = { match, MatchError, typeOf, show };
