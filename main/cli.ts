#!/usr/bin/env node
// Headless rustysignal: the same server as the desktop app, without Electron.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { parseCommandLine, UsageError, type ServeCommand } from './cli/args.js';
import { createCliLogger } from './cli/log.js';
import { runDiscover } from './discover-command.js';
import { CaFileError } from './certs/ca-file-error.js';
import type { LeafKeeper } from './certs/leaf-keeper.js';
import { localLabel } from './server/local-name.js';
import { OptionsError, resolveOptions, type ServerOptions } from './server/options.js';
import { createSignalServer, ServerError } from './server/signal-server.js';
import { generateVapidKeyFile, loadVapidKeyFile, VapidError } from './server/push/index.js';
import { loadOrCreateTurnSecret } from './server/relay/secret-file.js';
import { loadTlsFiles, TlsError } from './server/tls.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const version = (JSON.parse(readFileSync(path.join(here, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

function fail(message: string, code: number): never {
  process.stderr.write(`rustysignal: ${message}\n`);
  process.exit(code);
}

const defaultDataDir = () => envPaths('rustysignal', { suffix: '' }).data;

/** With --tls auto: the data dir's CA (created on first use) and a keeper for its leaf. */
async function autoTls(
  c: ServeCommand,
): Promise<{ caCert: string; keeper: LeafKeeper; created: string | null } | null> {
  if (!c.tlsAuto) return null;
  // The certificate libraries are loaded only here and for `ca` commands: a server without --tls auto
  // stays smaller (about 6 MB less RSS at rest).
  const [{ loadOrCreateCa }, { LeafKeeper }] = await Promise.all([
    import('./certs/ca-files.js'),
    import('./certs/leaf-keeper.js'),
  ]);
  const dataDir = c.dataDir ?? defaultDataDir();
  const { ca, created } = await loadOrCreateCa(dataDir, localLabel(), process.env.RUSTYSIGNAL_CA_PASSPHRASE);
  return { caCert: ca.cert, keeper: new LeafKeeper({ ca }), created: created ? dataDir : null };
}

/** Turns the command line into validated server options (reading the PEM files it names). */
async function serverOptions(c: ServeCommand, auto: Awaited<ReturnType<typeof autoTls>>): Promise<ServerOptions> {
  const tls = auto
    ? await auto.keeper.current()
    : c.certFile && c.keyFile
      ? await loadTlsFiles(c.certFile, c.keyFile, c.keyPassphrase ?? undefined)
      : null;
  const bundled = path.join(here, '..', 'renderer', 'web-client');
  const webClientDir =
    c.webClient === false
      ? null
      : c.webClient === true
        ? existsSync(path.join(bundled, 'index.html'))
          ? bundled
          : null
        : path.resolve(c.webClient);
  const dataDir = c.dataDir ?? defaultDataDir();
  const turnSecret =
    c.turnSecret ??
    (c.turnPort === 0
      ? null
      : await loadOrCreateTurnSecret(dataDir).catch((err: Error) => {
          throw new UsageError(
            `cannot keep the TURN secret in ${dataDir}: ${err.message} (give --turn-secret or --data-dir)`,
          );
        }));
  return resolveOptions({
    host: c.host,
    port: c.port,
    tls,
    trust: auto ? { caCert: auto.caCert } : null,
    accessKey: c.accessKey,
    pingIntervalMs: c.pingIntervalMs,
    maxPayloadBytes: c.maxPayloadBytes,
    maxBufferedBytes: c.maxBufferedBytes,
    offlineTtlMs: c.offlineTtlMs,
    offlineQueueMax: c.offlineQueueMax,
    offlineQueueBytes: c.offlineQueueBytes,
    offlineQueueSenderBytes: c.offlineQueueSenderBytes,
    allowedOrigins: c.allowedOrigins,
    requestTimeoutMs: c.requestTimeoutMs,
    rateLimit: { perSecond: c.rateLimit, burst: c.rateBurst },
    maxConnections: c.maxConnections,
    dataDir,
    webClientDir,
    push: c.vapidKeyFile
      ? {
          vapidPrivateKeyPem: (await loadVapidKeyFile(c.vapidKeyFile)).pem,
          subject: c.vapidSubject!,
          encoding: c.pushEncoding,
          allowHosts: c.pushAllowHosts,
          maxInFlight: c.pushMaxInFlight,
          maxInFlightPerConnection: c.pushMaxInFlightPerConnection,
          maxResponseBytes: c.pushMaxResponseBytes,
          maxSubscriptions: c.pushMaxSubscriptions,
          subscriptionsPerAddress: c.pushSubscriptionsPerAddress,
          subscriptionTtlMs: c.pushSubscriptionTtlMs,
        }
      : null,
    mdns: { enabled: c.mdns, name: c.mdnsName, interface: c.mdnsInterface },
    redis: c.redis,
    nodeId: c.nodeId,
    metricsToken: c.metricsToken,
    iceServers: c.iceServers,
    relay: { port: c.turnPort, relayPorts: c.turnRelayPorts, allowPeers: c.turnAllowPeers },
    turnSecret,
  });
}

async function serve(c: ServeCommand): Promise<void> {
  let options: ServerOptions;
  let auto: Awaited<ReturnType<typeof autoTls>> = null;
  try {
    auto = await autoTls(c);
    options = await serverOptions(c, auto);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof CaFileError ||
      err instanceof OptionsError ||
      err instanceof TlsError ||
      err instanceof VapidError
    )
      fail(err.message, 2);
    throw err;
  }
  const log = createCliLogger(c.logLevel, c.jsonLogs);
  const server = createSignalServer(options, { logger: log });
  if (auto?.created)
    log.info({ dir: auto.created }, 'created the local CA (rustysignal ca show prints its fingerprint)');
  server.events.on('warning', (p) => log.warn({ code: p.code }, p.message));
  // One line per connection coming and going, for an operator watching with --log-level debug (and no
  // listener at all otherwise: 10,000 joins cost nothing extra).
  if (log.isLevelEnabled('debug')) {
    server.events.on('peer-joined', (p) =>
      log.debug({ id: p.id, name: p.name, room: p.room, address: p.remoteAddress, dialect: p.dialect }, 'connected'),
    );
    server.events.on('peer-left', (p) =>
      log.debug({ id: p.id, name: p.name, room: p.room, reason: p.reason }, 'disconnected'),
    );
  }
  let status;
  try {
    status = await server.start();
  } catch (err) {
    if (err instanceof ServerError)
      fail(err.problem.message, err.problem.code === 'tls-invalid' || err.problem.code === 'push-failed' ? 2 : 1);
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    log.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (err: Error) => fail(`stop failed: ${err.message}`, 1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // After start: a start failure is printed once, by fail().
  server.events.on('error', (p) => log.error({ code: p.code }, p.message));

  if (auto) {
    // A new leaf (addresses changed, expiry near) goes in through the same live swap SIGHUP uses.
    auto.keeper.start({
      onRenewed: (leaf) =>
        server.reconfigure({ tls: leaf }).then(
          () => log.info({}, 'TLS certificate re-issued by the local CA for the current addresses'),
          (err: Error) => log.error({}, `TLS certificate not re-issued, keeping the current one: ${err.message}`),
        ),
      onError: (err) => log.error({}, `TLS certificate check failed, keeping the current one: ${err.message}`),
    });
    // SIGHUP checks the leaf at once (it is re-issued when names or addresses changed).
    if (process.platform !== 'win32')
      process.on('SIGHUP', () => void auto.keeper.check().catch((err: Error) => log.error({}, err.message)));
  }
  // SIGHUP re-reads the certificate and key (e.g. after a renewal) without dropping connections.
  if (process.platform !== 'win32' && c.certFile && c.keyFile) {
    process.on('SIGHUP', () => {
      loadTlsFiles(c.certFile!, c.keyFile!, c.keyPassphrase ?? undefined)
        .then((tls) => server.reconfigure({ tls }))
        .then(
          () => log.info({ cert: c.certFile }, 'TLS certificate reloaded'),
          (err: Error) =>
            log.error({ cert: c.certFile }, `TLS certificate not reloaded, keeping the current one: ${err.message}`),
        );
    });
  }
  // Last: whoever reads the banner may signal at once (SIGTERM, SIGHUP), and every handler is in place.
  if (!c.jsonLogs && c.logLevel !== 'silent') {
    const lines = [
      `rustysignal ${version} listening on ${options.host.includes(':') ? `[${options.host}]` : options.host}:${status.port}; connect from other devices with:`,
    ];
    for (const u of status.urls)
      lines.push(`  ${u.url}${u.interface ? `  (${u.interface}${u.internal ? ', this computer only' : ''})` : ''}`);
    if (status.relay.port !== null)
      lines.push(
        `relay (STUN/TURN): UDP and TCP port ${status.relay.port}, relayed addresses on UDP ${options.relay.relayPorts.min}-${options.relay.relayPorts.max}`,
      );
    if (options.webClientDir) lines.push(`web client: ${status.urls[0]!.url.replace(/^ws/, 'http')}`);
    if (status.trust)
      lines.push(
        `devices trust this server once at: ${status.urls[0]!.url.replace(/^wss/, 'http')}trust`,
        `local CA fingerprint (SHA-256): ${status.trust.fingerprint256}`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

async function main(): Promise<void> {
  let command;
  try {
    command = parseCommandLine(process.argv.slice(2), version);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2);
    throw err;
  }
  switch (command.kind) {
    case 'done':
      return;
    case 'serve':
      return serve(command);
    case 'vapid-generate':
      return generateVapidKeyFile(command.out, { overwrite: command.force }).then(
        (publicKey) =>
          void process.stdout.write(`wrote a VAPID private key to ${command.out}\npublic key: ${publicKey}\n`),
        (err: Error) => fail(err.message, err instanceof VapidError ? 2 : 1),
      );
    case 'ca-show':
      return import('./ca-command.js')
        .then((m) => m.runCaShow(command.dataDir ?? defaultDataDir(), command.json, (s) => process.stdout.write(s)))
        .catch((err: Error) => fail(err.message, 1));
    case 'ca-export':
      return import('./ca-command.js')
        .then((m) => m.runCaExport(command.dataDir ?? defaultDataDir(), command.out, command.force))
        .then(
          (msg) => void process.stdout.write(msg),
          (err: Error) => fail(err.message, 1),
        );
    case 'discover':
      process.exitCode = await runDiscover({
        timeoutMs: command.timeoutMs,
        json: command.json,
        interface: command.interface,
      });
      return;
  }
}

main().catch((err: Error) => fail(`unexpected error: ${err.stack ?? err.message}`, 1));
