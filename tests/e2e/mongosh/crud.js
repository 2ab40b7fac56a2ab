// mongosh 2.x CRUD script, run with --eval against a fresh database. Prints "DONE crud" at the end;
// any failed assertion throws, which makes mongosh exit non-zero.
const assert = require('assert');

assert.ok(db.version().startsWith('7.0'), `db.version() = ${db.version()}`);
assert.equal(db.hello().isWritablePrimary, true);
assert.equal(db.runCommand({ ping: 1 }).ok, 1);
assert.deepEqual(db.serverBuildInfo().versionArray.slice(0, 2), [7, 0]);

const c = db.crud;
c.drop();
const one = c.insertOne({ name: 'a', n: 1, tags: ['x', 'y'] });
assert.ok(one.acknowledged);
assert.ok(one.insertedId instanceof ObjectId);
const many = c.insertMany([{ name: 'b', n: 2 }, { name: 'c', n: 3, tags: ['y'] }, { name: 'd', n: 4 }]);
assert.equal(Object.keys(many.insertedIds).length, 3);

// find: filter, sort, projection, skip/limit
let docs = c.find({ n: { $gte: 2 } }, { _id: 0, name: 1 }).sort({ n: -1 }).toArray();
assert.deepEqual(docs, [{ name: 'd' }, { name: 'c' }, { name: 'b' }]);
docs = c.find({ tags: 'y' }).sort({ name: 1 }).toArray().map((d) => d.name);
assert.deepEqual(docs, ['a', 'c']);
docs = c.find().sort({ n: 1 }).skip(1).limit(2).toArray().map((d) => d.n);
assert.deepEqual(docs, [2, 3]);
assert.equal(c.findOne({ name: 'c' }).n, 3);

// getMore across many batches
const big = db.big;
big.drop();
const batch = [];
for (let i = 0; i < 1000; i++) batch.push({ _id: i, sq: i * i });
big.insertMany(batch);
const all = big.find().sort({ _id: 1 }).batchSize(10).toArray();
assert.equal(all.length, 1000);
assert.equal(all[999].sq, 999 * 999);
let seen = 0;
const cur = big.find({ _id: { $lt: 500 } }).batchSize(7);
while (cur.hasNext()) { cur.next(); seen++; }
assert.equal(seen, 500);

// update
let r = c.updateOne({ name: 'a' }, { $set: { n: 10 }, $inc: { hits: 1 } });
assert.equal(r.matchedCount, 1);
assert.equal(r.modifiedCount, 1);
r = c.updateMany({ n: { $lt: 5 } }, { $inc: { n: 100 } });
assert.equal(r.modifiedCount, 3);
r = c.updateOne({ name: 'zz' }, { $set: { n: 0 } }, { upsert: true });
assert.equal(r.upsertedCount, 1);
assert.ok(r.insertedId, 'mongosh reports the upserted _id as insertedId');
r = c.replaceOne({ name: 'zz' }, { name: 'zz', replaced: true });
assert.equal(r.modifiedCount, 1);
assert.equal(c.findOne({ name: 'zz' }).replaced, true);

// findAndModify
let fm = c.findOneAndUpdate({ name: 'b' }, { $set: { fm: 1 } }, { returnDocument: 'after' });
assert.equal(fm.fm, 1);
fm = db.runCommand({ findAndModify: 'crud', query: { name: 'c' }, update: { $inc: { n: 1 } }, new: true });
assert.equal(fm.ok, 1);
assert.equal(fm.value.n, 104);
assert.equal(fm.lastErrorObject.updatedExisting, true);
fm = c.findOneAndDelete({ name: 'd' });
assert.equal(fm.name, 'd');

// count / delete
assert.equal(c.countDocuments(), 4);
assert.equal(c.countDocuments({ n: { $gt: 100 } }), 2);
assert.equal(c.estimatedDocumentCount(), 4);
assert.deepEqual(c.distinct('name').sort(), ['a', 'b', 'c', 'zz']);
r = c.deleteOne({ name: 'a' });
assert.equal(r.deletedCount, 1);
r = c.deleteMany({});
assert.equal(r.deletedCount, 3);
assert.equal(c.countDocuments(), 0);

// errors surface as exceptions with codes
c.insertOne({ _id: 'dup' });
let threw = false;
try { c.insertOne({ _id: 'dup' }); } catch (e) { threw = true; assert.equal(e.code, 11000); }
assert.ok(threw, 'duplicate key must throw');
threw = false;
try {
  db.runCommand({ notACommand: 1 }); // mongosh 2.x throws on ok: 0
} catch (e) {
  threw = true;
  assert.equal(e.code, 59);
  assert.equal(e.codeName, 'CommandNotFound');
}
assert.ok(threw, 'unknown command must fail');

// db.coll.stats() runs $collStats {storageStats}; latencyStats(), $indexStats usage counters
const stats = db.big.stats();
assert.equal(stats.ok, 1);
assert.equal(stats.count, db.big.countDocuments());
assert.ok(stats.size > 0 && stats.nindexes === 1 && 'indexSizes' in stats, JSON.stringify(stats));
assert.equal(db.big.stats({ scale: 1024 }).scaleFactor, 1024);
assert.ok(db.big.latencyStats()[0].latencyStats.reads.ops > 0);
db.big.createIndex({ sq: 1 });
db.big.findOne({ sq: 4 });
const usage = db.big.aggregate([{ $indexStats: {} }, { $match: { name: 'sq_1' } }]).toArray();
assert.equal(usage.length, 1);
assert.equal(Number(usage[0].accesses.ops), 1);
db.big.dropIndex('sq_1');

// collections and databases
assert.ok(db.getCollectionNames().includes('crud'));
assert.ok(db.getCollectionInfos({ name: 'big' }).length === 1);
assert.deepEqual(db.big.getIndexes().map((i) => i.name), ['_id_']);
assert.ok(db.adminCommand({ listDatabases: 1 }).databases.some((d) => d.name === db.getName()));
assert.equal(db.big.drop(), true);
assert.ok(!db.getCollectionNames().includes('big'));
assert.equal(db.dropDatabase().ok, 1);

print('DONE crud');
