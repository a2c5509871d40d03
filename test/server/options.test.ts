// The server option table: every option is either changed live or by rebinding, and the bounds in
// option-limits.ts are the ones the schema enforces.
import { describe, expect, it } from 'vitest';
import { numberLimits } from '../../main/server/option-limits.js';
import {
  defaultOptions,
  liveKeys,
  resolveLiveOptions,
  resolveOptions,
  restartKeys,
  type ServerOptionsInput,
} from '../../main/server/options.js';

describe('server options', () => {
  it('splits every option into live and restart: rebinding, directories, request timeout, cluster and metrics token', () => {
    expect([...restartKeys].sort()).toEqual([
      'dataDir',
      'host',
      'metricsToken',
      'nodeId',
      'port',
      'redis',
      'requestTimeoutMs',
      'webClientDir',
    ]);
    expect([...liveKeys, ...restartKeys].sort()).toEqual(Object.keys(defaultOptions).sort());
    expect(liveKeys).toContain('maxBufferedBytes');
    expect(resolveLiveOptions({ maxBufferedBytes: 128 * 1024 })).toEqual({ maxBufferedBytes: 128 * 1024 });
  });

  it('enforces the bounds of the limits table, at and just past each end', () => {
    const input = (option: string, n: number): ServerOptionsInput => {
      const [head, tail] = option.split('.') as [string, string | undefined];
      if (tail === undefined) return { [head]: n };
      // A range: both ends carry the same bound.
      if (option === 'relay.relayPorts') return { relay: { relayPorts: { min: n, max: n } } };
      if (head === 'push')
        return {
          push: { vapidPrivateKeyPem: '-----BEGIN PRIVATE KEY-----\n', subject: 'mailto:a@b.c', [tail]: n },
        };
      return { [head]: { [tail]: n } };
    };
    for (const [option, limit] of Object.entries(numberLimits)) {
      const l: { min: number; max?: number } = limit;
      expect(() => resolveOptions(input(option, l.min)), `${option} = min`).not.toThrow();
      expect(() => resolveOptions(input(option, l.min - 1)), `${option} < min`).toThrow(/option /);
      const max = l.max;
      if (max === undefined) continue;
      expect(() => resolveOptions(input(option, max)), `${option} = max`).not.toThrow();
      expect(() => resolveOptions(input(option, max + 1)), `${option} > max`).toThrow(/option /);
    }
  });

  it('names the option in an error', () => {
    expect(() => resolveOptions({ tls: { cert: 'x', key: 'y' } })).toThrow(/^option tls\.cert: cert must be PEM text/);
    expect(() =>
      resolveOptions({ push: { vapidPrivateKeyPem: '-----BEGIN EC PRIVATE KEY-----\n', subject: 'ops@example.org' } }),
    ).toThrow(/^option push\.subject: subject: "ops@example\.org" must be a mailto: address or an https: URL/);
  });
});
