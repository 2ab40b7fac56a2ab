'use strict';
// TLS through the Node.js driver (mongodb 7.x): `tls: true, tlsCAFile` against a ddsd in preferTLS
// with --tlsCAFile and --tlsAllowConnectionsWithoutCertificates; a client certificate
// (tlsCertificateKeyFile); plaintext on the same port; a client that trusts another CA is refused.
// Certificates come from tests/e2e/lib/make_test_certs.sh (openssl CLI), in the ddsd's temp dir.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MongoClient, MongoServerSelectionError } = require('mongodb');
const { startDdsd } = require('./lib/ddsd');

const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dds-e2e-node-tls-'));
const cert = (name) => path.join(certDir, name);

describe('node driver over TLS', () => {
  let ddsd;

  before(async () => {
    execFileSync('bash', [path.join(__dirname, '../lib/make_test_certs.sh'), certDir]);
    ddsd = await startDdsd({
      args: ['--tlsMode', 'preferTLS', '--tlsCertificateKeyFile', cert('server.pem'),
        '--tlsCAFile', cert('ca.pem'), '--tlsAllowConnectionsWithoutCertificates'],
    });
  });

  after(async () => {
    const died = ddsd && ddsd.proc && ddsd.proc.exitInfo;
    const log = died ? ddsd.logTail() : '';
    if (ddsd) await ddsd.cleanup();
    fs.rmSync(certDir, { recursive: true, force: true });
    assert.equal(died, null, `ddsd died during the tests\n${log}`);
  });

  async function withClient(options, fn) {
    const client = new MongoClient(ddsd.uri, { serverSelectionTimeoutMS: 5000, ...options });
    try {
      await client.connect();
      await fn(client);
    } finally {
      await client.close();
    }
  }

  it('connects with tls: true and tlsCAFile and runs CRUD', async () => {
    await withClient({ tls: true, tlsCAFile: cert('ca.pem') }, async (client) => {
      const coll = client.db('node_tls').collection('crud');
      await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, s: 'x'.repeat(i) })));
      assert.deepEqual(await coll.findOne({ _id: 5 }), { _id: 5, s: 'xxxxx' });
      assert.equal((await coll.updateOne({ _id: 5 }, { $set: { s: 'y' } })).modifiedCount, 1);
      assert.equal((await coll.deleteOne({ _id: 6 })).deletedCount, 1);
      assert.equal((await coll.find({}).batchSize(4).toArray()).length, 29);
    });
  });

  it('presents a client certificate signed by the CA', async () => {
    await withClient({ tls: true, tlsCAFile: cert('ca.pem'), tlsCertificateKeyFile: cert('client.pem') },
      async (client) => {
        assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
      });
  });

  it('serves plaintext on the same port under preferTLS', async () => {
    await withClient({}, async (client) => {
      assert.equal(await client.db('node_tls').collection('crud').countDocuments(), 29);
    });
  });

  it('a client that trusts another CA refuses the server', async () => {
    await assert.rejects(
      withClient({ tls: true, tlsCAFile: cert('other-ca.pem'), serverSelectionTimeoutMS: 1500 },
        async () => {}),
      (e) => e instanceof MongoServerSelectionError);
  });
});
