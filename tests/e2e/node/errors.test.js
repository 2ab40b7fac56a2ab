'use strict';
// Error codes over the wire through the Node.js driver: the reply shape {ok: 0, errmsg, code,
// codeName} and the extra fields of DuplicateKey, for the codes clients branch on.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { MongoClient, MongoServerError, MongoBulkWriteError } = require('mongodb');
const { startDdsd } = require('./lib/ddsd');

function isServerError(code, codeName) {
  return (e) => {
    assert.ok(e instanceof MongoServerError, `expected MongoServerError, got ${e && e.name}: ${e && e.message}`);
    assert.equal(e.code, code, `code of ${JSON.stringify(e.errorResponse || e.message)}`);
    if (codeName) assert.equal(e.codeName, codeName);
    assert.equal(typeof e.errmsg, 'string');
    return true;
  };
}

describe('node driver error codes', () => {
  let ddsd;
  let client;
  let db;

  before(async () => {
    ddsd = await startDdsd();
    client = new MongoClient(ddsd.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db('node_errors');
  });

  after(async () => {
    if (client) await client.close();
    const died = ddsd && ddsd.proc && ddsd.proc.exitInfo;
    const log = died ? ddsd.logTail() : '';
    if (ddsd) await ddsd.cleanup();
    assert.equal(died, null, `ddsd died during the tests\n${log}`);
  });

  it('duplicate _id answers 11000 with keyPattern and keyValue', async () => {
    const coll = db.collection('dup');
    await coll.insertOne({ _id: 'k1', a: 1 });
    await assert.rejects(coll.insertOne({ _id: 'k1', a: 2 }), (e) => {
      isServerError(11000, undefined)(e);
      assert.deepEqual(e.keyPattern, { _id: 1 });
      assert.deepEqual(e.keyValue, { _id: 'k1' });
      assert.match(e.errmsg, /E11000 duplicate key error/);
      return true;
    });
    assert.deepEqual(await coll.findOne({ _id: 'k1' }), { _id: 'k1', a: 1 });
  });

  it('ordered insertMany stops at the first duplicate, unordered goes on', async () => {
    const coll = db.collection('bulk');
    await coll.insertOne({ _id: 2 });
    await assert.rejects(coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]), (e) => {
      assert.ok(e instanceof MongoBulkWriteError);
      assert.equal(e.code, 11000);
      assert.equal(e.insertedCount, 1);
      assert.equal(e.writeErrors.length, 1);
      assert.equal(e.writeErrors[0].index, 1);
      return true;
    });
    assert.equal(await coll.countDocuments(), 2);
    await assert.rejects(coll.insertMany([{ _id: 2 }, { _id: 4 }, { _id: 1 }, { _id: 5 }], { ordered: false }),
      (e) => {
        assert.ok(e instanceof MongoBulkWriteError);
        assert.equal(e.insertedCount, 2);
        assert.deepEqual(e.writeErrors.map((w) => w.index), [0, 2]);
        assert.ok(e.writeErrors.every((w) => w.code === 11000));
        return true;
      });
    assert.equal(await coll.countDocuments(), 4);
  });

  it('unknown command answers 59 CommandNotFound', async () => {
    await assert.rejects(db.command({ noSuchCommandHere: 1 }), isServerError(59, 'CommandNotFound'));
  });

  it('invalid database name answers 73 InvalidNamespace', async () => {
    // The driver itself refuses names with '.', ' ', '$', '/', '\\'; a 64-byte name reaches the server.
    const bad = client.db('d'.repeat(64));
    await assert.rejects(bad.collection('c').insertOne({ a: 1 }), isServerError(73, 'InvalidNamespace'));
  });

  it('invalid collection name answers 73 InvalidNamespace', async () => {
    await assert.rejects(db.command({ insert: 'a$b', documents: [{ a: 1 }] }),
      isServerError(73, 'InvalidNamespace'));
  });

  it('unknown query operator answers 2 BadValue', async () => {
    const coll = db.collection('ops');
    await coll.insertOne({ a: 1 });
    await assert.rejects(coll.find({ a: { $bogus: 1 } }).toArray(), isServerError(2, 'BadValue'));
  });

  it('unknown update operator is an error, not a silent success', async () => {
    const coll = db.collection('ops');
    await assert.rejects(coll.updateOne({ a: 1 }, { $bogus: { a: 2 } }), (e) => {
      assert.ok(e.code === 9 || e.code === 2, `code ${e.code}`);
      return true;
    });
    assert.deepEqual(await coll.findOne({}, { projection: { _id: 0 } }), { a: 1 });
  });

  it('getMore on an unknown cursor answers 43 CursorNotFound', async () => {
    const { Long } = require('mongodb');
    await assert.rejects(db.command({ getMore: Long.fromNumber(123456789), collection: 'ops' }),
      isServerError(43, 'CursorNotFound'));
  });

  it('wrong field type answers 14 TypeMismatch', async () => {
    await assert.rejects(db.command({ find: 'ops', limit: 'ten' }), isServerError(14, 'TypeMismatch'));
  });

  it('a document over 16 MiB is refused', async () => {
    const coll = db.collection('big');
    const big = { _id: 1, s: 'x'.repeat(16 * 1024 * 1024 + 16) };
    await assert.rejects(coll.insertOne(big), (e) => {
      // The driver may refuse before sending (MongoInvalidArgumentError / BSONError) or the server
      // answers BSONObjectTooLarge (10334); either way nothing is stored.
      assert.ok(e, 'rejected');
      return true;
    });
    assert.equal(await coll.countDocuments(), 0);
  });
});
