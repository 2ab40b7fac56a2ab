'use strict';
// CRUD through the Node.js driver (mongodb 7.x) against a real ddsd: connect, insert, find with
// filter/sort/projection, getMore across many batches, update, delete, findAndModify,
// countDocuments, listCollections, drop.

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { MongoClient, ObjectId, Long, Decimal128 } = require('mongodb');
const { startDdsd } = require('./lib/ddsd');

describe('node driver CRUD', () => {
  let ddsd;
  let client;
  let db;
  let n = 0;
  let coll;

  before(async () => {
    ddsd = await startDdsd();
    client = new MongoClient(ddsd.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db('node_crud');
  });

  after(async () => {
    if (client) await client.close();
    const died = ddsd && ddsd.proc && ddsd.proc.exitInfo;
    const log = died ? ddsd.logTail() : '';
    if (ddsd) await ddsd.cleanup();
    assert.equal(died, null, `ddsd died during the tests\n${log}`);
  });

  beforeEach(() => {
    n += 1;
    coll = db.collection(`c${n}`);
  });

  it('connects and answers hello/buildInfo as MongoDB 7.0', async () => {
    const admin = client.db('admin');
    assert.equal((await admin.command({ ping: 1 })).ok, 1);
    const hello = await admin.command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.equal(hello.maxWireVersion, 21);
    assert.equal(hello.maxBsonObjectSize, 16777216);
    assert.equal(hello.topologyVersion, undefined);
    const info = await admin.command({ buildInfo: 1 });
    assert.match(info.version, /^7\.0\./);
    assert.equal(info.versionArray[0], 7);
  });

  it('inserts and finds documents, adding an ObjectId _id', async () => {
    const r = await coll.insertOne({ a: 1, s: 'x' });
    assert.ok(r.insertedId instanceof ObjectId);
    const many = await coll.insertMany([{ _id: 2, a: 2 }, { _id: 3, a: 3 }]);
    assert.equal(many.insertedCount, 2);
    const got = await coll.findOne({ _id: r.insertedId });
    assert.deepEqual(got, { _id: r.insertedId, a: 1, s: 'x' });
    assert.equal(await coll.countDocuments(), 3);
  });

  it('round-trips BSON types', async () => {
    const doc = {
      _id: 'types', i: 42, l: Long.fromString('9007199254740993'), d: 1.5,
      dec: Decimal128.fromString('1.10'), s: 'é', b: true, n: null, date: new Date(1700000000000),
      arr: [1, 'two', { three: 3 }], sub: { x: { y: 1 } }, oid: new ObjectId(),
    };
    await coll.insertOne(doc);
    const got = await coll.findOne({ _id: 'types' }, { promoteLongs: false });
    assert.deepEqual(got, doc);
  });

  it('finds with filter, sort, skip, limit and projection', async () => {
    await coll.insertMany([
      { _id: 1, a: 5, b: 'x', c: [1, 2] },
      { _id: 2, a: 3, b: 'y', c: [3] },
      { _id: 3, a: 9, b: 'x', c: [] },
      { _id: 4, a: 1, b: 'z' },
      { _id: 5, b: 'x' },
    ]);
    const gt = await coll.find({ a: { $gt: 2 } }).sort({ a: -1 }).toArray();
    assert.deepEqual(gt.map((d) => d._id), [3, 1, 2]);
    const proj = await coll.find({ b: 'x' }, { projection: { a: 1, _id: 0 } }).sort({ _id: 1 }).toArray();
    assert.deepEqual(proj, [{ a: 5 }, { a: 9 }, {}]);
    const excl = await coll.find({ _id: 1 }, { projection: { c: 0, b: 0 } }).toArray();
    assert.deepEqual(excl, [{ _id: 1, a: 5 }]);
    const page = await coll.find({}).sort({ _id: 1 }).skip(1).limit(2).toArray();
    assert.deepEqual(page.map((d) => d._id), [2, 3]);
    const inOr = await coll.find({ $or: [{ a: { $in: [1, 3] } }, { b: 'z' }] }).sort({ _id: 1 }).toArray();
    assert.deepEqual(inOr.map((d) => d._id), [2, 4]);
    const missing = await coll.find({ a: { $exists: false } }).toArray();
    assert.deepEqual(missing.map((d) => d._id), [5]);
    const arr = await coll.find({ c: 2 }).toArray();
    assert.deepEqual(arr.map((d) => d._id), [1]);
    const nullish = await coll.find({ a: null }).toArray();
    assert.deepEqual(nullish.map((d) => d._id), [5]);
  });

  it('iterates 1000 documents in batches of 10 with getMore', async () => {
    const docs = [];
    for (let i = 0; i < 1000; i++) docs.push({ _id: i, v: i % 7, pad: 'p'.repeat(50) });
    await coll.insertMany(docs);
    const getMores = [];
    const listener = (ev) => { if (ev.commandName === 'getMore') getMores.push(ev); };
    const monitored = new MongoClient(ddsd.uri, { monitorCommands: true });
    await monitored.connect();
    try {
      monitored.on('commandStarted', listener);
      const cursor = monitored.db('node_crud').collection(coll.collectionName)
        .find({}).sort({ _id: 1 }).batchSize(10);
      let expect = 0;
      for await (const d of cursor) {
        assert.equal(d._id, expect);
        expect += 1;
      }
      assert.equal(expect, 1000);
      assert.ok(getMores.length >= 99, `expected >= 99 getMore commands, saw ${getMores.length}`);
    } finally {
      await monitored.close();
    }
  });

  it('kills an open cursor', async () => {
    await coll.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i })));
    const cursor = coll.find({}).batchSize(5);
    await cursor.next();
    await cursor.close();
    const res = await db.command({ find: coll.collectionName, batchSize: 2 });
    const id = res.cursor.id;
    assert.ok(id > 0n || Number(id) > 0);
    const killed = await db.command({ killCursors: coll.collectionName, cursors: [id] });
    assert.equal(killed.cursorsKilled.length, 1);
    await assert.rejects(db.command({ getMore: id, collection: coll.collectionName }),
      (e) => e.code === 43);
  });

  it('updates with $set, $unset, $inc, replacement and upsert', async () => {
    await coll.insertMany([{ _id: 1, a: 1, b: 1 }, { _id: 2, a: 1 }, { _id: 3, a: 2 }]);
    let r = await coll.updateOne({ _id: 1 }, { $set: { s: 'y' }, $inc: { a: 5 }, $unset: { b: '' } });
    assert.equal(r.matchedCount, 1);
    assert.equal(r.modifiedCount, 1);
    assert.deepEqual(await coll.findOne({ _id: 1 }), { _id: 1, a: 6, s: 'y' });
    r = await coll.updateMany({ a: { $lt: 3 } }, { $inc: { a: 10 } });
    assert.equal(r.matchedCount, 2);
    assert.equal(r.modifiedCount, 2);
    r = await coll.replaceOne({ _id: 2 }, { z: 1 });
    assert.equal(r.modifiedCount, 1);
    assert.deepEqual(await coll.findOne({ _id: 2 }), { _id: 2, z: 1 });
    r = await coll.updateOne({ _id: 9 }, { $set: { up: true } }, { upsert: true });
    assert.equal(r.upsertedId, 9);
    assert.equal(r.upsertedCount, 1);
    r = await coll.updateOne({ k: 'new' }, { $set: { v: 1 } }, { upsert: true });
    assert.ok(r.upsertedId instanceof ObjectId);
    assert.deepEqual(await coll.findOne({ k: 'new' }, { projection: { _id: 0 } }), { k: 'new', v: 1 });
    r = await coll.updateOne({ _id: 3 }, { $set: { a: 12 } });
    assert.equal(r.matchedCount, 1);
    assert.equal(r.modifiedCount, 0, 'a no-op $set does not count as modified');
  });

  it('deletes one and many', async () => {
    await coll.insertMany([{ _id: 1, t: 'a' }, { _id: 2, t: 'a' }, { _id: 3, t: 'b' }, { _id: 4, t: 'a' }]);
    assert.equal((await coll.deleteOne({ t: 'a' })).deletedCount, 1);
    assert.equal((await coll.deleteMany({ t: 'a' })).deletedCount, 2);
    assert.equal((await coll.deleteMany({ t: 'zzz' })).deletedCount, 0);
    assert.deepEqual(await coll.find().toArray(), [{ _id: 3, t: 'b' }]);
  });

  it('findAndModify: findOneAndUpdate / Replace / Delete', async () => {
    await coll.insertMany([{ _id: 1, n: 1 }, { _id: 2, n: 2 }]);
    let r = await coll.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    assert.deepEqual(r, { _id: 1, n: 2 });
    r = await coll.findOneAndUpdate({ _id: 2 }, { $set: { n: 20 } }, { returnDocument: 'before' });
    assert.deepEqual(r, { _id: 2, n: 2 });
    r = await coll.findOneAndUpdate({}, { $inc: { n: 100 } }, { sort: { n: -1 }, returnDocument: 'after',
      projection: { n: 1, _id: 0 } });
    assert.deepEqual(r, { n: 120 });
    r = await coll.findOneAndReplace({ _id: 1 }, { repl: true }, { returnDocument: 'after' });
    assert.deepEqual(r, { _id: 1, repl: true });
    r = await coll.findOneAndUpdate({ _id: 7 }, { $set: { u: 1 } }, { upsert: true, returnDocument: 'after' });
    assert.deepEqual(r, { _id: 7, u: 1 });
    const full = await coll.findOneAndDelete({ _id: 2 }, { includeResultMetadata: true });
    assert.deepEqual(full.value, { _id: 2, n: 120 });
    assert.equal(full.lastErrorObject.n, 1);
    assert.equal(await coll.findOneAndDelete({ _id: 2 }), null);
  });

  it('counts with countDocuments, estimatedDocumentCount and distinct', async () => {
    await coll.insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: i, g: i % 3, tags: [i % 2, 'x'] })));
    assert.equal(await coll.countDocuments(), 25);
    assert.equal(await coll.countDocuments({ g: 1 }), 8);
    assert.equal(await coll.countDocuments({}, { skip: 20 }), 5);
    assert.equal(await coll.countDocuments({ g: { $ne: 1 } }, { limit: 3 }), 3);
    assert.equal(await coll.estimatedDocumentCount(), 25);
    const vals = await coll.distinct('g');
    assert.deepEqual([...vals].sort(), [0, 1, 2]);
    const tags = await coll.distinct('tags', { g: 0 });
    assert.equal(tags.length, 3);
    assert.equal(await db.collection('does_not_exist').countDocuments(), 0);
  });

  it('lists, creates, renames and drops collections', async () => {
    const name = coll.collectionName;
    await db.createCollection(name);
    await coll.insertOne({ _id: 1 });
    const list = await db.listCollections({}, { nameOnly: true }).toArray();
    assert.ok(list.some((c) => c.name === name), JSON.stringify(list));
    const full = await db.listCollections({ name }).toArray();
    assert.equal(full.length, 1);
    assert.equal(full[0].type, 'collection');
    const idx = await coll.listIndexes().toArray();
    assert.deepEqual(idx.map((i) => i.name), ['_id_']);
    await coll.rename(`${name}_renamed`);
    const renamed = db.collection(`${name}_renamed`);
    assert.equal(await renamed.countDocuments(), 1);
    assert.equal(await renamed.drop(), true);
    const after = await db.listCollections({}, { nameOnly: true }).toArray();
    assert.ok(!after.some((c) => c.name === name || c.name === `${name}_renamed`));
    const dbs = await client.db('admin').admin().listDatabases();
    assert.ok(dbs.databases.some((d) => d.name === 'node_crud'));
  });

  it('drops a database', async () => {
    const other = client.db('node_dropdb');
    await other.collection('x').insertOne({ a: 1 });
    assert.equal(await other.dropDatabase(), true);
    const dbs = await client.db('admin').admin().listDatabases({ nameOnly: true });
    assert.ok(!dbs.databases.some((d) => d.name === 'node_dropdb'));
  });
});
