// Connects to a dds-service instance with the Node.js driver and round-trips a document.
// Usage: node node_connect.cjs PORT [data|ping] [USER PASSWORD]
// Exit 0 on success; prints one JSON line.
const path = require("path");
const { MongoClient } = require(path.join(__dirname, "..", "node_modules", "mongodb"));

async function main() {
  const [port, mode = "data", user, password] = process.argv.slice(2);
  const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : "";
  const uri = `mongodb://${auth}127.0.0.1:${port}/?directConnection=true` +
              `&serverSelectionTimeoutMS=5000${user ? "&authSource=admin" : ""}`;
  const client = new MongoClient(uri);
  try {
    await client.connect();
    const ping = await client.db("admin").command({ ping: 1 });
    let found = null;
    if (mode === "data") {
      const coll = client.db("e2e").collection("node_driver");
      await coll.insertOne({ _id: "from-node", n: 1 });
      found = await coll.findOne({ _id: "from-node" });
    }
    console.log(JSON.stringify({ ok: ping.ok, found }));
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  console.log(JSON.stringify({ error: String(err) }));
  process.exit(1);
});
