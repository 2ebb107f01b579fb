import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptFor, buildRequest, headEnd, newKey, parseHead, validateUpgrade } from '../../server/src/wstest/handshake';
import { encodeFrame, FrameParser, OP } from '../../server/src/wstest/frames';
import { hide, looksLikeToken, maskHeader, maskRequestLine, maskText, maskUrl } from '../../server/src/wstest/mask';

test('Sec-WebSocket-Accept matches the RFC 6455 §1.3 example', () => {
  assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('keys are fresh random 16-byte values', () => {
  const a = newKey();
  assert.equal(Buffer.from(a, 'base64').length, 16);
  assert.notEqual(a, newKey());
});

test('request: RFC headers, Host with non-default port, protocols, user headers replace ours', () => {
  const r = buildRequest({ url: new URL('wss://h.example:8443/ws?x=1'), key: 'k', origin: 'https://o', protocols: ['a', 'b'], headers: [['Host', 'virtual.example'], ['X-T', '1']] });
  assert.equal(r.line, 'GET /ws?x=1 HTTP/1.1');
  assert.deepEqual(r.headers, [
    ['Host', 'virtual.example'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'k'],
    ['Sec-WebSocket-Version', '13'],
    ['Origin', 'https://o'],
    ['Sec-WebSocket-Protocol', 'a, b'],
    ['X-T', '1'],
  ]);
  assert.ok(r.bytes.toString().endsWith('\r\n\r\n'));
  assert.equal(buildRequest({ url: new URL('wss://h.example:443/'), key: 'k' }).headers[0]![1], 'h.example');
});

const ok = (key: string, extra = ''): ReturnType<typeof head> => head(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`);
function head(text: string) {
  return { ...parseHead(text)!, body: '' };
}

test('validation: each RFC requirement is named when it fails', () => {
  const key = newKey();
  assert.equal(validateUpgrade(ok(key), key).ok, true, 'tokens are case-insensitive, Connection may list several');
  assert.equal(validateUpgrade(head('HTTP/1.1 426 Upgrade Required\r\n\r\n'), key).kind, 'http-status');
  assert.equal(validateUpgrade(head('HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n'), key).kind, 'redirect');
  assert.equal(validateUpgrade(head(`HTTP/1.1 101 X\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`), key).kind, 'bad-upgrade');
  assert.equal(validateUpgrade(head(`HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`), key).kind, 'bad-connection');
  assert.equal(validateUpgrade(ok('other'), key).kind, 'bad-accept');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'), key).kind, 'bad-extension');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Protocol: c\r\n'), key, ['a']).kind, 'bad-protocol');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Protocol: a\r\n'), key, ['a']).protocol, 'a');
});

test('head parsing: status line, headers, end of head; not-HTTP is null', () => {
  assert.equal(parseHead('SSH-2.0-OpenSSH\r\n'), null);
  const h = parseHead('HTTP/1.1 200 OK\r\nA: 1\r\nA: 2\r\nbroken line\r\n')!;
  assert.equal(h.status, 200);
  assert.deepEqual(h.headers, [['A', '1'], ['A', '2']]);
  assert.equal(headEnd(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody')), 19);
  assert.equal(headEnd(Buffer.from('HTTP/1.1 200 OK\r\nA: 1\r\n')), -1);
});

test('frames: client frames are masked, server frames parsed incrementally, violations rejected', () => {
  const f = encodeFrame(OP.text, Buffer.from('hello'));
  assert.equal(f[0], 0x81);
  assert.equal(f[1]! & 0x80, 0x80);
  assert.equal(encodeFrame(OP.binary, Buffer.alloc(70000))[1], 0x80 | 127);
  const p = new FrameParser();
  const server = Buffer.concat([Buffer.from([0x81, 0x02]), Buffer.from('hi'), Buffer.from([0x8a, 0x00])]);
  assert.deepEqual(p.push(server.subarray(0, 3)), []);
  const frames = p.push(server.subarray(3));
  assert.deepEqual(frames.map((x) => [x.opcode, x.payload.toString()]), [[OP.text, 'hi'], [OP.pong, '']]);
  assert.throws(() => new FrameParser().push(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0, 0])), /masked/);
  assert.throws(() => new FrameParser().push(Buffer.from([0x83, 0x00])), /unknown opcode/);
  assert.throws(() => new FrameParser().push(Buffer.from([0x82, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0])), /exceeds/);
});

test('masking: credentials hidden, handshake mechanics kept', () => {
  assert.equal(maskHeader('Authorization', 'Bearer abcdefghijklmnop'), 'Bearer ab***(16 chars)');
  assert.equal(maskHeader('Cookie', 'session=abc123456; theme=dark'), 'session=ab***(9 chars); theme=***');
  assert.equal(maskHeader('X-Api-Key', 'zzz999zzz999'), 'zz***(12 chars)');
  assert.equal(maskHeader('X-Auth-Token', 'abc'), '***');
  assert.equal(maskHeader('Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='), 'dGhlIHNhbXBsZSBub25jZQ==');
  assert.equal(maskHeader('Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.equal(maskHeader('Sec-WebSocket-Protocol', 'chat, eyJhbGciOiJIUzI1NiJ9.e30.x1'), `chat, ${hide('eyJhbGciOiJIUzI1NiJ9.e30.x1')}`);
  assert.equal(maskHeader('User-Agent', 'curl/8'), 'curl/8');
  assert.equal(looksLikeToken('graphql-transport-ws'), false);
  assert.equal(maskUrl('wss://u:pw@h/ws?token=abc&room=1'), 'wss://u:***@h/ws?token=***&room=1');
  assert.equal(maskRequestLine('GET /ws?access_token=x1y2 HTTP/1.1'), 'GET /ws?access_token=*** HTTP/1.1');
  assert.match(maskText('request: "GET /ws/?token=abc123 HTTP/1.1", upstream: "http://b/ws/?token=abc123"'), /token=\*\*\* HTTP\/1\.1", upstream: "http:\/\/b\/ws\/\?token=\*\*\*"/);
});
