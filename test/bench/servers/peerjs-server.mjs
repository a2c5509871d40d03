// The PeerJS server (npm `peer`) as a process of its own, at ws://127.0.0.1:PORT/peerjs?key=peerjs&id=ID&token=T.
// concurrent_limit is raised from 5,000 so the idle test can register 10,000 clients, and alive_timeout from
// 90 s to an hour because bench clients send no HEARTBEAT; neither changes how a message is relayed.
// Usage: node peerjs-server.mjs PORT
import { PeerServer } from 'peer';

const port = Number(process.argv[2]);
const server = PeerServer(
  { host: '127.0.0.1', port, path: '/', key: 'peerjs', concurrent_limit: 1_000_000, alive_timeout: 3_600_000 },
  () => console.log(`peerjs listening on 127.0.0.1:${port}`),
);
server.on('error', (err) => console.error('peerjs error', err));
// A clean exit on SIGTERM, so that `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
