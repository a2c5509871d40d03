// Findings 7 and 8: remote text cannot forge log lines, a push failure is one line, and secrets (the
// access key, tokens, TURN secrets) never reach a log, in the CLI's text and JSON logs and the app log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactingHook } from '../../../main/app/log-hook.js';
import { textLine } from '../../../main/cli/log.js';
import { escapeControls, redactFields, redactSecrets } from '../../../main/server/log-safety.js';
import { generateVapidKey } from '../../../main/server/push/vapid.js';
import { startCli } from '../../support/cli.js';
import { connect } from '../../support/clients.js';
import { makeBrowserSubscription } from '../push/support/browser-subscription.js';
import { startFakePushService, type FakePushService } from '../push/support/fake-push-service.js';

describe('log safety rules', () => {
  it('escapes control and format characters so one record stays one line', () => {
    expect(escapeControls('a\nb\r\u001b[2J\u0085\u202Ec\td')).toBe('a\\nb\\r\\x1b[2J\\x85\\u{202e}c\\td');
    expect(textLine({ level: 40, msg: 'bad\nwarn: forged', body: 'x\u001b[31m' })).toBe(
      'warn: bad\\nwarn: forged body=x\\x1b[31m\n',
    );
  });

  it('redacts access keys, tokens and secrets in URLs, text and members', () => {
    expect(redactSecrets('listening: ws://10.0.0.2:3012/?key=s3cr3t&user=a ws://[::1]:3012/?token=abc')).toBe(
      'listening: ws://10.0.0.2:3012/?key=<redacted>&user=a ws://[::1]:3012/?token=<redacted>',
    );
    expect(
      redactFields({ accessKey: 'k', turn: { secret: 's', urls: ['turn:x?transport=udp'] }, url: '/?key=k', n: 1 }),
    ).toEqual({
      accessKey: '<redacted>',
      turn: { secret: '<redacted>', urls: ['turn:x?transport=udp'] },
      url: '/?key=<redacted>',
      n: 1,
    });
    expect(redactingHook({ data: ['listening: ws://h:1/?key=topsecret', { token: 't' }, 'a\u001bb'] }).data).toEqual([
      'listening: ws://h:1/?key=<redacted>',
      { token: '<redacted>' },
      'a\\x1bb',
    ]);
  });
});

describe('the built CLI', () => {
  let fake: FakePushService;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakePushService();
    dir = await mkdtemp(path.join(tmpdir(), 'rs-logs-'));
    await writeFile(path.join(dir, 'ca.pem'), fake.caPem);
    await writeFile(path.join(dir, 'vapid.pem'), generateVapidKey().pem);
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const json of [false, true]) {
    it(`logs a push failure once, escaped, and never the access key (${json ? 'JSON' : 'text'} logs)`, async () => {
      process.env.NODE_EXTRA_CA_CERTS = path.join(dir, 'ca.pem');
      const secret = 'Sesame-Open-7781';
      const cli = await startCli([
        '127.0.0.1:0',
        '--no-mdns',
        '--data-dir',
        path.join(dir, json ? 'j' : 't'),
        '--vapid-key',
        path.join(dir, 'vapid.pem'),
        '--vapid-subject',
        'mailto:ops@example.org',
        '--push-allow-hosts',
        new URL(fake.origin).host,
        '--access-key',
        secret,
        '--log-level',
        'debug',
        ...(json ? ['--json-logs'] : []),
      ]).finally(() => delete process.env.NODE_EXTRA_CA_CERTS);
      try {
        const url = (q: string) => `ws://127.0.0.1:${cli.port}/?key=${secret}&v=2&${q}`;
        const alice = await connect(url('user=alice'));
        await alice.next();
        alice.send({
          action: 'subscribe-push',
          subscriptionData: makeBrowserSubscription(`${fake.origin}/push/a`).json,
        });
        expect((JSON.parse(await alice.next()) as { action: string }).action).toBe('push-subscribed');
        fake.respond = () => ({ status: 400, body: 'nope\n\u001b[2Jforged: info: admin logged in\u202E' });
        const bob = await connect(url('user=bob'));
        await bob.next();
        bob.send({ action: 'connection-request', to: 'alice', id: 1 });
        for (;;) if ((JSON.parse(await bob.next()) as { action: string }).action === 'push-result') break;
        await cli.waitFor(/refused the message to \\?"alice\\?"/);
        const out = cli.stdout() + cli.stderr();
        expect(out.split('\n').filter((l) => l.includes('refused the message to'))).toHaveLength(1);
        expect(out).not.toContain('\u001b');
        expect(out).not.toContain('\u202E');
        expect(out).not.toMatch(/^forged/m);
        expect(out).not.toContain(secret);
        await Promise.all([alice.close(), bob.close()]);
      } finally {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    });
  }
});
