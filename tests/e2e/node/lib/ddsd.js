'use strict';
// Starts a real ddsd for end-to-end tests: a free loopback port, a fresh temp data directory, a wait
// until it answers {ping: 1} (raw OP_MSG, 20 s timeout), and a kill by PID at the end (also on
// process exit). The binary is $DDSD, else <repo>/build/bin/ddsd.
//
//   const { startDdsd } = require('./lib/ddsd');
//   const d = await startDdsd();   // d.port, d.uri, d.dbpath, d.logFile
//   ... await d.stop();            // SIGTERM, then SIGKILL after 5 s
//   await d.kill9(); await d.restart();  // crash + restart on the same dbpath

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { BSON } = require('mongodb');

const ROOT = path.resolve(__dirname, '../../../..');
const DDSD = process.env.DDSD || path.join(ROOT, 'build/bin/ddsd');
const live = new Set();

process.on('exit', () => {
  for (const proc of live) {
    try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// One OP_MSG {ping: 1, $db: "admin"} round trip; resolves true on ok: 1.
function pingOnce(port) {
  return new Promise((resolve) => {
    const body = BSON.serialize({ ping: 1, $db: 'admin' });
    const msg = Buffer.alloc(16 + 4 + 1 + body.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(1, 4);
    msg.writeInt32LE(0, 8);
    msg.writeInt32LE(2013, 12);
    msg.writeUInt32LE(0, 16);
    msg.writeUInt8(0, 20);
    body.copy(msg, 21);
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const done = (v) => { sock.destroy(); resolve(v); };
    sock.setTimeout(2000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
    sock.on('connect', () => sock.write(msg));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        try {
          const reply = BSON.deserialize(buf.subarray(21, buf.readInt32LE(0)));
          done(reply.ok === 1);
        } catch {
          done(false);
        }
      }
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Ddsd {
  constructor(opts) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dds-e2e-node-'));
    this.dbpath = path.join(this.tmp, 'db');
    this.logFile = path.join(this.tmp, 'ddsd.log');
    this.extraArgs = opts.args || [];
    this.proc = null;
    this.port = 0;
  }

  get uri() {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async launch(port) {
    const out = fs.openSync(this.logFile, 'a');
    const args = ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', this.dbpath,
      ...this.extraArgs];
    const proc = spawn(DDSD, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    live.add(proc);
    proc.exitInfo = null;
    proc.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        live.delete(proc);
        proc.exitInfo = { code, signal };
        resolve(proc.exitInfo);
      });
    });
    proc.on('error', () => {});
    this.proc = proc;
    this.port = port;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (proc.exitInfo) return false;
      if (await pingOnce(port)) return true;
      await sleep(50);
    }
    throw new Error(`ddsd did not answer ping on port ${port} within 20 s\n${this.logTail()}`);
  }

  // Starts on a free port; retries on a new port if ddsd exits at once (port taken meanwhile).
  async start(port) {
    if (!fs.existsSync(DDSD)) throw new Error(`ddsd binary not found at ${DDSD} (build it first)`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const p = port || await freePort();
      if (await this.launch(p)) return this;
      if (port) break;
    }
    throw new Error(`ddsd exited during start: ${JSON.stringify(this.proc.exitInfo)}\n${this.logTail()}`);
  }

  // Starts again on the same dbpath and port (after stop() or kill9()).
  async restart() {
    return this.start(this.port);
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitInfo) return proc && proc.exitInfo;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    const info = await proc.exited;
    clearTimeout(timer);
    return info;
  }

  async kill9() {
    const proc = this.proc;
    if (!proc || proc.exitInfo) return;
    proc.kill('SIGKILL');
    await proc.exited;
  }

  async cleanup() {
    await this.stop();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

async function startDdsd(opts = {}) {
  const d = new Ddsd(opts);
  return d.start();
}

module.exports = { startDdsd, Ddsd, freePort, pingOnce, DDSD };
