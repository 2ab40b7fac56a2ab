'use strict';
// Runner for MongoDB's unified test format (mongodb/specifications,
// source/unified-test-format/unified-test-format.md) over the Node.js driver against a real ddsd.
//
//   node tests/e2e/unified/run.js [--uri mongodb://...] [--verbose] [--only substring] [paths...]
//
// Without --uri it starts its own ddsd (tests/e2e/node/lib/ddsd.js). Paths default to the
// conformance folders in ../shared/conformance/mongodb-spec. It prints passed/failed/skipped per
// file and in total. A test is skipped only when its runOnRequirements rule out a 7.0 standalone,
// or when skips.js names it with the open issue it waits for. Failures listed in
// known-failures.js are still counted and printed as failures, but only failures outside that
// list make the exit status non-zero (and a listed test that passes is reported, so the list
// shrinks).

const fs = require('node:fs');
const path = require('node:path');
const { MongoClient, BSON, MongoServerError, MongoBulkWriteError } = require('mongodb');
const { match, MatchError, show } = require('./matcher');
const { skipReason } = require('./skips');
const { isKnownFailure } = require('./known-failures');

const ROOT = path.resolve(__dirname, '../../..');
const DEFAULT_PATHS = ['crud', 'index-management', 'collection-management', 'run-command'].map((d) =>
  path.join(ROOT, '../shared/conformance/mongodb-spec', d));
const SUPPORTED_SCHEMA_MAJOR = 1;
const SERVER_TOPOLOGY = 'single';
const SENSITIVE_COMMANDS = new Set(['authenticate', 'saslStart', 'saslContinue', 'getnonce', 'createUser',
  'updateUser', 'copydbgetnonce', 'copydbsaslstart', 'copydb']);

class SkipTest extends Error {}

function parseArgs(argv) {
  const args = { uri: null, verbose: false, only: null, paths: [] };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--uri') args.uri = argv[++i];
    else if (argv[i] === '--verbose') args.verbose = true;
    else if (argv[i] === '--only') args.only = argv[++i];
    else args.paths.push(argv[i]);
  }
  if (args.paths.length === 0) args.paths = DEFAULT_PATHS;
  return args;
}

function listFiles(p) {
  const stat = fs.statSync(p);
  if (stat.isFile()) return p.endsWith('.json') ? [p] : [];
  return fs.readdirSync(p).sort().flatMap((name) => listFiles(path.join(p, name)));
}

function compareVersions(a, b) {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

async function requirementMet(req, server) {
  if (req.minServerVersion && compareVersions(server.version, req.minServerVersion) < 0) return false;
  if (req.maxServerVersion && compareVersions(server.version, req.maxServerVersion) > 0) return false;
  if (req.topologies && !req.topologies.includes(SERVER_TOPOLOGY)) return false;
  if (req.serverless === 'require') return false;
  if (req.auth === true) return false;
  if (req.csfle === true) return false;
  if (req.serverParameters) {
    for (const [name, value] of Object.entries(req.serverParameters)) {
      try {
        const reply = await server.client.db('admin').command({ getParameter: 1, [name]: 1 });
        match(value, reply[name], { entities: new Map() }, name, false);
      } catch {
        return false;
      }
    }
  }
  return true;
}

async function requirementsMet(reqs, server) {
  if (!reqs || reqs.length === 0) return true;
  for (const r of reqs) {
    if (await requirementMet(r, server)) return true;
  }
  return false;
}

// ---- entities ----

class Entities extends Map {
  set(key, value) {
    if (this.has(key)) throw new Error(`duplicate entity ${key}`);
    return super.set(key, value);
  }
  need(key) {
    if (!this.has(key)) throw new Error(`no entity ${key}`);
    return this.get(key);
  }
}

async function createClient(spec, uri, state) {
  const options = { ...(spec.uriOptions || {}), monitorCommands: true, serverSelectionTimeoutMS: 10000 };
  if (options.appname) {
    options.appName = options.appname;
    delete options.appname;
  }
  if (spec.serverApi) options.serverApi = spec.serverApi;
  const client = new MongoClient(uri, options);
  const observe = new Set(spec.observeEvents || []);
  const ignore = new Set(spec.ignoreCommandMonitoringEvents || []);
  const events = [];
  const record = (type) => (e) => {
    if (!observe.has(type)) return;
    if (ignore.has(e.commandName)) return;
    if (!spec.observeSensitiveCommands && SENSITIVE_COMMANDS.has(e.commandName)) return;
    if (e.commandName === 'configureFailPoint' && state.failPointCommands) return;
    events.push({ type, event: e });
  };
  client.on('commandStarted', record('commandStartedEvent'));
  client.on('commandSucceeded', record('commandSucceededEvent'));
  client.on('commandFailed', record('commandFailedEvent'));
  let checkedOut = 0;
  client.on('connectionCheckedOut', () => { checkedOut++; });
  client.on('connectionCheckedIn', () => { checkedOut--; });
  await client.connect();
  return { kind: 'client', client, events, checkedOut: () => checkedOut, lastLsids: [] };
}

function collectionOptions(o) {
  if (!o) return {};
  const out = {};
  if (o.readConcern) out.readConcern = o.readConcern;
  if (o.writeConcern) out.writeConcern = o.writeConcern;
  if (o.readPreference) out.readPreference = o.readPreference.mode || o.readPreference;
  if (o.timeoutMS !== undefined) out.timeoutMS = o.timeoutMS;
  return out;
}

async function createEntities(list, entities, uri, state) {
  for (const item of list || []) {
    const [kind, spec] = Object.entries(item)[0];
    switch (kind) {
      case 'client':
        entities.set(spec.id, await createClient(spec, uri, state));
        break;
      case 'database': {
        const c = entities.need(spec.client);
        entities.set(spec.id, { kind: 'database', db: c.client.db(spec.databaseName, collectionOptions(spec.databaseOptions)), clientEntity: c });
        break;
      }
      case 'collection': {
        const d = entities.need(spec.database);
        entities.set(spec.id, { kind: 'collection', coll: d.db.collection(spec.collectionName, collectionOptions(spec.collectionOptions)), dbEntity: d });
        break;
      }
      case 'session': {
        const c = entities.need(spec.client);
        const session = c.client.startSession(spec.sessionOptions || {});
        entities.set(spec.id, { kind: 'session', session, id: session.id });
        break;
      }
      default:
        throw new SkipTest(`entity type ${kind} is not supported by this runner`);
    }
  }
}

// ---- operations ----

const OPTION_RENAMES = { returnDocument: null };

function resolveArgs(args, entities) {
  const out = {};
  for (const [k, v] of Object.entries(args || {})) {
    if (k === 'session') out.session = entities.need(v).session;
    else out[k] = v;
  }
  return out;
}

function pick(args, exclude) {
  const out = {};
  for (const [k, v] of Object.entries(args)) {
    if (!exclude.includes(k) && !(k in OPTION_RENAMES)) out[k] = v;
  }
  return out;
}

function toNodeBulkRequest(req) {
  const [name, a] = Object.entries(req)[0];
  return { [name]: a };
}

function bulkResult(r) {
  return {
    insertedCount: r.insertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
    upsertedCount: r.upsertedCount,
    upsertedIds: r.upsertedIds,
    insertedIds: r.insertedIds,
  };
}

function returnDocumentOption(a) {
  if (a.returnDocument === undefined) return {};
  return { returnDocument: a.returnDocument.toLowerCase() === 'after' ? 'after' : 'before' };
}

const COLLECTION_OPS = {
  insertOne: (c, a) => c.insertOne(a.document, pick(a, ['document'])),
  insertMany: (c, a) => c.insertMany(a.documents, pick(a, ['documents'])),
  deleteOne: (c, a) => c.deleteOne(a.filter, pick(a, ['filter'])),
  deleteMany: (c, a) => c.deleteMany(a.filter, pick(a, ['filter'])),
  updateOne: (c, a) => c.updateOne(a.filter, a.update, pick(a, ['filter', 'update'])),
  updateMany: (c, a) => c.updateMany(a.filter, a.update, pick(a, ['filter', 'update'])),
  replaceOne: (c, a) => c.replaceOne(a.filter, a.replacement, pick(a, ['filter', 'replacement'])),
  find: (c, a) => c.find(a.filter || {}, pick(a, ['filter'])).toArray(),
  findOne: (c, a) => c.findOne(a.filter || {}, pick(a, ['filter'])),
  aggregate: (c, a) => c.aggregate(a.pipeline, pick(a, ['pipeline'])).toArray(),
  countDocuments: (c, a) => c.countDocuments(a.filter || {}, pick(a, ['filter'])),
  estimatedDocumentCount: (c, a) => c.estimatedDocumentCount(pick(a, [])),
  count: (c, a) => c.count(a.filter || {}, pick(a, ['filter'])),
  distinct: (c, a) => c.distinct(a.fieldName, a.filter || {}, pick(a, ['fieldName', 'filter'])),
  findOneAndUpdate: (c, a) => c.findOneAndUpdate(a.filter, a.update, { ...pick(a, ['filter', 'update']), ...returnDocumentOption(a) }),
  findOneAndReplace: (c, a) => c.findOneAndReplace(a.filter, a.replacement, { ...pick(a, ['filter', 'replacement']), ...returnDocumentOption(a) }),
  findOneAndDelete: (c, a) => c.findOneAndDelete(a.filter, pick(a, ['filter'])),
  bulkWrite: async (c, a) => bulkResult(await c.bulkWrite(a.requests.map(toNodeBulkRequest), pick(a, ['requests']))),
  createIndex: (c, a) => c.createIndex(a.keys, pick(a, ['keys'])),
  dropIndex: (c, a) => c.dropIndex(a.name, pick(a, ['name'])),
  dropIndexes: (c, a) => c.dropIndexes(pick(a, [])),
  listIndexes: (c, a) => c.listIndexes(pick(a, [])).toArray(),
  listIndexNames: async (c, a) => (await c.listIndexes(pick(a, [])).toArray()).map((i) => i.name),
  drop: (c, a) => c.drop(pick(a, [])),
};

const DATABASE_OPS = {
  runCommand: (d, a) => d.command(a.command, pick(a, ['command', 'commandName'])),
  runCursorCommand: (d, a) => d.runCursorCommand(a.command, pick(a, ['command', 'commandName'])).toArray(),
  createCollection: (d, a) => d.createCollection(a.collection, pick(a, ['collection'])).then(() => undefined),
  dropCollection: (d, a) => d.dropCollection(a.collection, pick(a, ['collection'])).then(() => undefined),
  listCollections: (d, a) => d.listCollections(a.filter || {}, pick(a, ['filter'])).toArray(),
  listCollectionNames: async (d, a) => (await d.listCollections(a.filter || {}, { ...pick(a, ['filter']), nameOnly: true }).toArray()).map((c) => c.name),
  aggregate: (d, a) => d.aggregate(a.pipeline, pick(a, ['pipeline'])).toArray(),
  modifyCollection: (d, a) => d.command({ collMod: a.collection, ...pick(a, ['collection']) }),
};

const ROOT_ARRAY_OPS = new Set(['find', 'aggregate', 'listCollections', 'listIndexes', 'runCursorCommand', 'listDatabases']);

async function runOperation(op, entities, state) {
  const args = resolveArgs(op.arguments, entities);
  if (op.object === 'testRunner') return runTestRunnerOperation(op, args, entities, state);
  const target = entities.need(op.object);
  if (target.kind === 'collection') {
    if (op.name === 'createFindCursor') {
      const cursor = target.coll.find(args.filter || {}, pick(args, ['filter']));
      await cursor.hasNext();
      return { value: { kind: 'cursor', cursor } };
    }
    const fn = COLLECTION_OPS[op.name];
    if (!fn) throw new SkipTest(`collection operation ${op.name} is not supported by this runner`);
    return { value: await fn(target.coll, args), rootArray: ROOT_ARRAY_OPS.has(op.name) };
  }
  if (target.kind === 'database') {
    if (op.name === 'createCommandCursor') {
      const cursor = target.db.runCursorCommand(args.command, pick(args, ['command', 'commandName']));
      await cursor.hasNext();
      return { value: { kind: 'cursor', cursor } };
    }
    const fn = DATABASE_OPS[op.name];
    if (!fn) throw new SkipTest(`database operation ${op.name} is not supported by this runner`);
    return { value: await fn(target.db, args), rootArray: ROOT_ARRAY_OPS.has(op.name) };
  }
  if (target.kind === 'cursor') {
    switch (op.name) {
      case 'iterateUntilDocumentOrError': return { value: await target.cursor.next() };
      case 'iterateOnce': return { value: await target.cursor.tryNext() };
      case 'close': await target.cursor.close(); return { value: undefined };
      default: throw new SkipTest(`cursor operation ${op.name} is not supported`);
    }
  }
  if (target.kind === 'client') {
    switch (op.name) {
      case 'listDatabases': return { value: (await target.client.db('admin').admin().listDatabases(args)).databases, rootArray: true };
      case 'clientBulkWrite': {
        const models = args.models.map((m) => {
          const [name, spec] = Object.entries(m)[0];
          return { name, ...spec };
        });
        return { value: await target.client.bulkWrite(models, pick(args, ['models'])) };
      }
      case 'listDatabaseNames': return { value: (await target.client.db('admin').admin().listDatabases({ ...args, nameOnly: true })).databases.map((d) => d.name) };
      default: throw new SkipTest(`client operation ${op.name} is not supported by this runner`);
    }
  }
  if (target.kind === 'session') {
    switch (op.name) {
      case 'endSession': await target.session.endSession(); return { value: undefined };
      default: throw new SkipTest(`session operation ${op.name} is not supported by this runner`);
    }
  }
  throw new Error(`cannot run ${op.name} on ${op.object}`);
}

async function runTestRunnerOperation(op, args, entities, state) {
  switch (op.name) {
    case 'assertCollectionExists':
    case 'assertCollectionNotExists': {
      const names = (await state.internal.db(args.databaseName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      const exists = names.includes(args.collectionName);
      if (exists !== (op.name === 'assertCollectionExists')) {
        throw new MatchError(`collection ${args.databaseName}.${args.collectionName} ${exists ? 'exists' : 'does not exist'}`);
      }
      return { value: undefined };
    }
    case 'failPoint': {
      const client = entities.need(args.client).client;
      state.failPointCommands = true;
      await client.db('admin').command({ configureFailPoint: args.failPoint.configureFailPoint, mode: args.failPoint.mode, data: args.failPoint.data });
      state.failPoints.push({ client, name: args.failPoint.configureFailPoint });
      return { value: undefined };
    }
    case 'assertNumberConnectionsCheckedOut': {
      const n = entities.need(args.client).checkedOut();
      if (n !== args.connections) throw new MatchError(`expected ${args.connections} connections checked out, got ${n}`);
      return { value: undefined };
    }
    case 'assertSameLsidOnLastTwoCommands':
    case 'assertDifferentLsidOnLastTwoCommands': {
      const started = entities.need(args.client).events.filter((e) => e.type === 'commandStartedEvent');
      if (started.length < 2) throw new MatchError('fewer than two commands observed');
      const [a, b] = started.slice(-2).map((e) => show(e.event.command.lsid));
      if ((a === b) !== (op.name === 'assertSameLsidOnLastTwoCommands')) throw new MatchError(`lsids ${a} and ${b}`);
      return { value: undefined };
    }
    default:
      throw new SkipTest(`testRunner operation ${op.name} is not supported by this runner`);
  }
}

// ---- errors ----

function isServerError(err) {
  return err instanceof MongoServerError || err instanceof MongoBulkWriteError || (err && err.name === 'MongoServerError');
}

function checkExpectedError(expected, err, entities) {
  const ctx = { entities };
  if (expected.isClientError !== undefined && expected.isClientError === isServerError(err)) {
    throw new MatchError(`expected ${expected.isClientError ? 'a client' : 'a server'} error, got ${err.name}: ${err.message}`);
  }
  if (expected.isTimeoutError) throw new SkipTest('timeout errors are not checked by this runner');
  if (expected.errorContains !== undefined && !String(err.message).toLowerCase().includes(expected.errorContains.toLowerCase())) {
    throw new MatchError(`error '${err.message}' does not contain '${expected.errorContains}'`);
  }
  const writeError = err.writeErrors && err.writeErrors.length ? err.writeErrors[0] : null;
  const code = err.code !== undefined ? err.code : writeError ? writeError.code : undefined;
  if (expected.errorCode !== undefined && code !== expected.errorCode) {
    throw new MatchError(`expected error code ${expected.errorCode}, got ${code} (${err.message})`);
  }
  if (expected.errorCodeName !== undefined) {
    const name = err.codeName || (err.errorResponse && err.errorResponse.codeName) || (writeError && writeError.err && writeError.err.codeName);
    if (name !== expected.errorCodeName) throw new MatchError(`expected codeName ${expected.errorCodeName}, got ${name} (${err.message})`);
  }
  const labels = err.errorLabels || (err.errorResponse && err.errorResponse.errorLabels) || [];
  for (const l of expected.errorLabelsContain || []) {
    if (!(err.hasErrorLabel ? err.hasErrorLabel(l) : labels.includes(l))) throw new MatchError(`missing error label ${l}`);
  }
  for (const l of expected.errorLabelsOmit || []) {
    if (err.hasErrorLabel ? err.hasErrorLabel(l) : labels.includes(l)) throw new MatchError(`unexpected error label ${l}`);
  }
  if (expected.errorResponse !== undefined) {
    const response = err.errorResponse || (writeError ? writeError.err : undefined);
    match(expected.errorResponse, response, ctx, 'errorResponse', true);
  }
  if (expected.expectResult !== undefined) {
    const partial = err.result ? bulkResult(err.result) : undefined;
    match(expected.expectResult, partial, ctx, 'expectResult', true);
  }
  if (expected.writeErrors !== undefined || expected.writeConcernErrors !== undefined) {
    throw new SkipTest('client bulk write error details are not checked by this runner');
  }
}

// ---- events ----

function checkEvents(expectations, entities) {
  for (const exp of expectations) {
    const eventType = exp.eventType || 'command';
    if (eventType !== 'command') throw new SkipTest(`${eventType} events are not observed by this runner`);
    const actual = entities.need(exp.client).events;
    const expected = exp.events;
    if (exp.ignoreExtraEvents ? actual.length < expected.length : actual.length !== expected.length) {
      throw new MatchError(`expected ${expected.length} events, got ${actual.length}: ${actual.map((e) => `${e.type}:${e.event.commandName}`).join(', ')}`);
    }
    expected.forEach((e, i) => {
      const [type, spec] = Object.entries(e)[0];
      const got = actual[i];
      if (got.type !== type) throw new MatchError(`event ${i}: expected ${type}, got ${got.type} (${got.event.commandName})`);
      const ctx = { entities };
      if (spec.commandName !== undefined && spec.commandName !== got.event.commandName) {
        throw new MatchError(`event ${i}: expected command ${spec.commandName}, got ${got.event.commandName}`);
      }
      if (spec.databaseName !== undefined && spec.databaseName !== got.event.databaseName) {
        throw new MatchError(`event ${i}: expected database ${spec.databaseName}, got ${got.event.databaseName}`);
      }
      if (spec.command !== undefined) match(spec.command, got.event.command, ctx, `event ${i} command`, true);
      if (spec.reply !== undefined) match(spec.reply, got.event.reply, ctx, `event ${i} reply`, true);
    });
  }
}

// ---- data ----

async function setUpInitialData(internal, initialData) {
  for (const data of initialData || []) {
    const db = internal.db(data.databaseName);
    await db.dropCollection(data.collectionName).catch((e) => {
      if (e.codeName !== 'NamespaceNotFound') throw e;
    });
    if (data.createOptions) {
      await db.createCollection(data.collectionName, { ...data.createOptions, writeConcern: { w: 'majority' } });
    }
    if (data.documents && data.documents.length) {
      await db.collection(data.collectionName).insertMany(data.documents, { writeConcern: { w: 'majority' } });
    } else if (!data.createOptions) {
      await db.createCollection(data.collectionName, { writeConcern: { w: 'majority' } });
    }
  }
}

function normalized(doc) {
  // Outcome documents must match exactly, ignoring key order.
  const sortKeys = (v) => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object' && !v._bsontype && !(v instanceof Date)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    }
    return v;
  };
  return BSON.EJSON.stringify(sortKeys(doc), { relaxed: true });
}

async function checkOutcome(internal, outcome) {
  for (const data of outcome || []) {
    const docs = await internal.db(data.databaseName).collection(data.collectionName)
      .find({}, { sort: { _id: 1 }, readConcern: { level: 'local' } }).toArray();
    const expected = data.documents.map(normalized);
    const actual = docs.map(normalized);
    if (expected.length !== actual.length || expected.some((e, i) => e !== actual[i])) {
      throw new MatchError(`collection ${data.databaseName}.${data.collectionName} holds\n      ${actual.join('\n      ')}\n    expected\n      ${expected.join('\n      ')}`);
    }
  }
}

// ---- driver ----

async function runTest(file, doc, test, server, uri) {
  const reason = skipReason(file, test.description);
  if (reason) throw new SkipTest(reason);
  if (test.skipReason) throw new SkipTest(test.skipReason);
  if (!(await requirementsMet(test.runOnRequirements, server))) throw new SkipTest('runOnRequirements exclude a 7.0 standalone');
  const entities = new Entities();
  const state = { internal: server.client, failPoints: [], failPointCommands: false };
  try {
    await setUpInitialData(server.client, doc.initialData);
    await createEntities(doc.createEntities, entities, uri, state);
    for (const op of test.operations) {
      let result;
      let error = null;
      try {
        result = await runOperation(op, entities, state);
      } catch (e) {
        if (e instanceof SkipTest || e instanceof MatchError) throw e;
        error = e;
      }
      if (op.expectError) {
        if (!error) throw new MatchError(`${op.name}: expected an error, got ${show(result && result.value)}`);
        checkExpectedError(op.expectError, error, entities);
        continue;
      }
      if (error && !op.ignoreResultAndError) throw new MatchError(`${op.name} failed: ${error.name}: ${error.message}`);
      if (op.expectResult !== undefined) {
        match(op.expectResult, result.value, { entities, rootArray: result.rootArray }, `${op.name} result`, true);
      }
      if (op.saveResultAsEntity) entities.set(op.saveResultAsEntity, result.value);
    }
    if (test.expectEvents) checkEvents(test.expectEvents, entities);
    await checkOutcome(server.client, test.outcome);
  } finally {
    for (const fp of state.failPoints) {
      await fp.client.db('admin').command({ configureFailPoint: fp.name, mode: 'off' }).catch(() => {});
    }
    for (const e of entities.values()) {
      if (e && e.kind === 'cursor') await e.cursor.close().catch(() => {});
      if (e && e.kind === 'session') await e.session.endSession().catch(() => {});
    }
    for (const e of entities.values()) {
      if (e && e.kind === 'client') await e.client.close().catch(() => {});
    }
  }
}

async function runFile(file, server, uri, args, totals) {
  // Relaxed parsing, as the Node driver's own runner does: the driver checks option types with
  // typeof, so numbers must be JS numbers.
  const doc = BSON.EJSON.parse(fs.readFileSync(file, 'utf8'), { relaxed: true });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const name = path.relative(path.join(ROOT, '../shared/conformance/mongodb-spec'), file);
  const major = parseInt(String(doc.schemaVersion).split('.')[0], 10);
  const fileSkip = major !== SUPPORTED_SCHEMA_MAJOR ? `schema version ${doc.schemaVersion} is not supported`
    : !(await requirementsMet(doc.runOnRequirements, server)) ? 'runOnRequirements exclude a 7.0 standalone' : null;
  for (const test of doc.tests) {
    if (args.only && !`${name} ${test.description}`.includes(args.only)) continue;
    const label = `${name} :: ${test.description}`;
    try {
      if (fileSkip) throw new SkipTest(fileSkip);
      await runTest(name, doc, test, server, uri);
      counts.passed++;
      if (isKnownFailure(name, test.description)) totals.fixed.push(label);
      if (args.verbose) console.log(`  ok    ${label}`);
    } catch (e) {
      if (e instanceof SkipTest) {
        counts.skipped++;
        if (args.verbose) console.log(`  skip  ${label}: ${e.message}`);
      } else {
        counts.failed++;
        const known = isKnownFailure(name, test.description);
        if (!known) totals.unexpected.push(label);
        console.log(`  FAIL${known ? ' (known)' : ''}  ${label}\n    ${e.message}`);
      }
    }
  }
  if (!args.only || counts.passed + counts.failed + counts.skipped > 0) {
    console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}

async function main() {
  const args = parseArgs(process.argv);
  let ddsd = null;
  let uri = args.uri;
  if (!uri) {
    const { startDdsd } = require('../node/lib/ddsd');
    // The unified format requires test commands (configureFailPoint), as mongod's --setParameter.
    ddsd = await startDdsd({ args: ['--setParameter', 'enableTestCommands=1'] });
    uri = ddsd.uri;
  }
  const internal = new MongoClient(uri, { serverSelectionTimeoutMS: 10000 });
  await internal.connect();
  const build = await internal.db('admin').command({ buildInfo: 1 });
  const server = { client: internal, version: build.version };
  const totals = { passed: 0, failed: 0, skipped: 0, unexpected: [], fixed: [] };
  try {
    for (const file of args.paths.flatMap(listFiles)) {
      await runFile(file, server, uri, args, totals);
    }
  } finally {
    await internal.close();
    if (ddsd) await ddsd.stop();
  }
  if (totals.fixed.length) {
    console.log(`\nListed as known failures but passed now (remove them from known-failures.js):\n  ${totals.fixed.join('\n  ')}`);
  }
  if (totals.unexpected.length) {
    console.log(`\nUnexpected failures:\n  ${totals.unexpected.join('\n  ')}`);
  }
  console.log(`\nunified: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exitCode = totals.unexpected.length || totals.fixed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
