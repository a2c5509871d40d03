// docs/protocol.md (Connecting, Client messages) for v1 (compat) clients: exact texts, byte-for-byte relay. Run on one
// server and again with the clients spread over three cluster nodes (test/support/topology.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type TestClient } from '../support/clients.js';
import { topologies, type Deployment } from '../support/topology.js';

const INVALID = 'Invalid protocol, valid protocols include:\n\tone-to-one\n\tone-to-self\n\tone-to-all';

describe.each(topologies())('$name', (topology) => {
  let s: Deployment;
  const open: TestClient[] = [];
  async function client(query: string, path?: string): Promise<TestClient> {
    const c = await connect(s.url(query, path));
    open.push(c);
    await s.settled();
    return c;
  }
  beforeEach(async () => {
    s = await topology.start();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await s.stop();
  });

  describe('v1 connecting', () => {
    it('registers a name on any path, decoding the query like URLSearchParams', async () => {
      const a = await client('user=John%20Doe', '/some/proxy/prefix');
      const b = await client('v=1&user=a+b&user=ignored');
      expect(
        s
          .peers()
          .map((p) => p.name)
          .sort(),
      ).toEqual(['John Doe', 'a b']);
      const raw = '{"protocol":"one-to-one","endpoint":"John Doe","data":1}';
      b.send(raw);
      expect(await a.next()).toBe(raw);
      expect(b.pending()).toEqual([]);
    });

    it('keeps a taken name for its holder and leaves the newcomer anonymous', async () => {
      const a = await client('user=alice');
      const dup = await client('user=alice');
      expect(await dup.next()).toBe('The username is taken');
      dup.send('{"protocol":"one-to-all","n":1}');
      expect(await a.next()).toBe('{"protocol":"one-to-all","n":1}');
      expect(await dup.next()).toBe('{"protocol":"one-to-all","n":1}');
      expect(s.peers().filter((p) => p.name === 'alice')).toHaveLength(1);
    });

    it.each([
      ['empty', 'user='],
      ['65 code points', `user=${'é'.repeat(65)}`],
      ['a control character', 'user=bad%0Aname'],
      ['DEL', 'user=bad%7F'],
    ])('answers "Invalid username" for %s and stays open, anonymous', async (_what, query) => {
      const c = await client(query);
      expect(await c.next()).toBe('Invalid username');
      c.send('{"protocol":"one-to-self","ok":true}');
      expect(await c.next()).toBe('{"protocol":"one-to-self","ok":true}');
      expect(s.peers()[0]!.name).toBeNull();
    });

    it('accepts 64 code points, including astral ones', async () => {
      const name = '😀'.repeat(64);
      const a = await client(`user=${encodeURIComponent(name)}`);
      const b = await client('');
      const raw = JSON.stringify({ protocol: 'one-to-one', endpoint: name });
      b.send(raw);
      expect(await a.next()).toBe(raw);
    });
  });

  describe('v1 routing', () => {
    it('relays one-to-one byte for byte, reading endpoint before to', async () => {
      const a = await client('user=alice');
      const b = await client('user=bob');
      const raw =
        '{ "protocol" : "one-to-one", "to":"nobody", "endpoint":"bob", "from":"forged", "n": 12345678901234567890, "z":1 }';
      a.send(raw);
      expect(await b.next()).toBe(raw);
      const viaTo = '{"protocol":"one-to-one","to":"alice","action":"answer","data":{"sdp":"v=0"}}';
      b.send(viaTo);
      expect(await a.next()).toBe(viaTo);
    });

    it('sends one-to-all to everyone including the v1 sender and anonymous connections', async () => {
      const a = await client('user=alice');
      const b = await client('user=bob');
      const anon = await client('');
      const raw = '{"protocol":"one-to-all","action":"hello"}';
      a.send(raw);
      expect(await a.next()).toBe(raw);
      expect(await b.next()).toBe(raw);
      expect(await anon.next()).toBe(raw);
    });

    it('returns one-to-self to the sender only', async () => {
      const a = await client('user=alice');
      const b = await client('user=bob');
      a.send('{"protocol":"one-to-self","x":[1,2]}');
      expect(await a.next()).toBe('{"protocol":"one-to-self","x":[1,2]}');
      b.send('{"protocol":"one-to-self"}');
      expect(await b.next()).toBe('{"protocol":"one-to-self"}');
      expect(a.pending()).toEqual([]);
    });

    it('lets anonymous connections broadcast but nobody address them', async () => {
      const anon = await client('');
      const b = await client('user=bob');
      anon.send('{"protocol":"one-to-one","endpoint":"bob","n":1}');
      expect(await b.next()).toBe('{"protocol":"one-to-one","endpoint":"bob","n":1}');
      b.send('{"protocol":"one-to-one","endpoint":""}');
      expect(await b.next()).toBe('Could not find a node with the name ');
    });

    it.each([
      ['not JSON', 'hello'],
      ['an array', '[1,2]'],
      ['a string', '"one-to-one"'],
      ['null', 'null'],
      ['no protocol', '{"endpoint":"bob"}'],
      ['an unknown protocol', '{"protocol":"one-to-many"}'],
      ['a non-string protocol', '{"protocol":1}'],
    ])('answers the Invalid protocol text for %s', async (_what, frame) => {
      const a = await client('user=alice');
      a.send(frame);
      expect(await a.next()).toBe(INVALID);
    });

    it('answers missing and unknown endpoints with the original texts', async () => {
      const a = await client('user=alice');
      a.send('{"protocol":"one-to-one","data":1}');
      expect(await a.next()).toBe("No field 'endpoint' provided");
      a.send('{"protocol":"one-to-one","endpoint":42}');
      expect(await a.next()).toBe("No field 'endpoint' provided");
      a.send('{"protocol":"one-to-one","endpoint":"ghost"}');
      expect(await a.next()).toBe('Could not find a node with the name ghost');
    });

    it('refuses binary frames with a text and stays open', async () => {
      const a = await client('user=alice');
      a.send(Buffer.from('{"protocol":"one-to-self"}'), true);
      expect(await a.next()).toBe('Binary messages are not supported');
      a.send('{"protocol":"one-to-self"}');
      expect(await a.next()).toBe('{"protocol":"one-to-self"}');
    });

    it('ignores push actions when push is off, then reports the routing error as the original did', async () => {
      const a = await client('user=alice');
      a.send('{"action":"subscribe-push","subscriptionData":"{}"}');
      expect(await a.next()).toBe(INVALID);
      a.send('{"protocol":"one-to-self","action":"connection-request","endpoint":"bob"}');
      expect(await a.next()).toBe('{"protocol":"one-to-self","action":"connection-request","endpoint":"bob"}');
    });

    it('never sends control messages to v1 connections', async () => {
      const a = await client('user=alice');
      const b = await client('user=bob');
      await b.close();
      const c = await client('user=carol');
      c.send('{"protocol":"one-to-one","endpoint":"alice","n":1}');
      expect(await a.next()).toBe('{"protocol":"one-to-one","endpoint":"alice","n":1}');
      expect(a.pending()).toEqual([]);
    });

    it('does not honour v2 room or token parameters', async () => {
      const a = await client('user=alice&room=x');
      const b = await client('user=bob&room=y');
      a.send('{"protocol":"one-to-one","endpoint":"bob"}');
      expect(await b.next()).toBe('{"protocol":"one-to-one","endpoint":"bob"}');
    });
  });
});
