// The reference: the least a relay on Node + ws can do. `?user=NAME` registers; a text frame is JSON.parse'd
// for its "to" and the received bytes are forwarded unchanged as a text frame ("*": to every connection).
// Plain JavaScript run by plain `node`, like the other servers under test (no TypeScript loader in the process).
// Usage: node bare-relay.mjs PORT
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const users = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws, req) => {
  const name = new URL(req.url ?? '/', 'http://relay').searchParams.get('user');
  if (name) users.set(name, ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let to;
    try {
      to = JSON.parse(data.toString()).to;
    } catch {
      return;
    }
    if (to === '*') {
      for (const c of wss.clients) c.send(data, { binary: false });
    } else {
      users.get(to)?.send(data, { binary: false });
    }
  });
  ws.on('close', () => {
    if (name && users.get(name) === ws) users.delete(name);
  });
});
wss.on('listening', () => console.log(`bare relay listening on 127.0.0.1:${port}`));
// A clean exit on SIGTERM, so that `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
