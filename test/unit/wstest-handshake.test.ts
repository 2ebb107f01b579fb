import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptFor,
  buildRequest,
  checkRequestOptions,
  headEnd,
  newKey,
  parseHead,
  validateUpgrade,
} from '../../server/src/wstest/handshake';
import { encodeFrame, FrameParser, OP } from '../../server/src/wstest/frames';
import { hide, looksLikeToken, maskHeader, maskRequestLine, maskText, maskUrl, redact, secretsOf } from '../../server/src/wstest/mask';
import { checkEndpointSettings } from '../../client/src/endpoint-settings';

test('Sec-WebSocket-Accept matches the RFC 6455 §1.3 example', () => {
  assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('keys are fresh random 16-byte values', () => {
  const a = newKey();
  assert.equal(Buffer.from(a, 'base64').length, 16);
  assert.notEqual(a, newKey());
});

test('request: RFC headers, Host with non-default port, protocols, user headers replace ours', () => {
  const r = buildRequest({
    url: new URL('wss://h.example:8443/ws?x=1'),
    key: 'k',
    origin: 'https://o',
    protocols: ['a', 'b'],
    headers: [
      ['Host', 'virtual.example'],
      ['X-T', '1'],
    ],
  });
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

const ok = (key: string, extra = ''): ReturnType<typeof head> =>
  head(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`,
  );
function head(text: string) {
  return { ...parseHead(text)!, body: '' };
}

test('validation: each RFC requirement is named when it fails', () => {
  const key = newKey();
  assert.equal(validateUpgrade(ok(key), key).ok, true, 'tokens are case-insensitive, Connection may list several');
  assert.equal(validateUpgrade(head('HTTP/1.1 426 Upgrade Required\r\n\r\n'), key).kind, 'http-status');
  assert.equal(validateUpgrade(head('HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n'), key).kind, 'redirect');
  assert.equal(
    validateUpgrade(head(`HTTP/1.1 101 X\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`), key).kind,
    'bad-upgrade',
  );
  assert.equal(
    validateUpgrade(
      head(`HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`),
      key,
    ).kind,
    'bad-connection',
  );
  assert.equal(validateUpgrade(ok('other'), key).kind, 'bad-accept');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'), key).kind, 'bad-extension');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Protocol: c\r\n'), key, ['a']).kind, 'bad-protocol');
  assert.equal(validateUpgrade(ok(key, 'Sec-WebSocket-Protocol: a\r\n'), key, ['a']).protocol, 'a');
});

test('head parsing: status line, headers, end of head; not-HTTP is null', () => {
  assert.equal(parseHead('SSH-2.0-OpenSSH\r\n'), null);
  const h = parseHead('HTTP/1.1 200 OK\r\nA: 1\r\nA: 2\r\nbroken line\r\n')!;
  assert.equal(h.status, 200);
  assert.deepEqual(h.headers, [
    ['A', '1'],
    ['A', '2'],
  ]);
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
  assert.deepEqual(
    frames.map((x) => [x.opcode, x.payload.toString()]),
    [
      [OP.text, 'hi'],
      [OP.pong, ''],
    ],
  );
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
  assert.match(
    maskText('request: "GET /ws/?token=abc123 HTTP/1.1", upstream: "http://b/ws/?token=abc123"'),
    /token=\*\*\* HTTP\/1\.1", upstream: "http:\/\/b\/ws\/\?token=\*\*\*"/,
  );
});

test('options that would inject headers are refused with the setting named; masking is idempotent and covers free text', () => {
  assert.equal(
    checkRequestOptions({
      origin: 'https://a.example',
      protocols: ['chat.v1'],
      headers: [
        ['X-Token', 'abc'],
        ['Authorization', 'Bearer x'],
      ],
    }),
    undefined,
  );
  assert.match(checkRequestOptions({ origin: 'https://a\r\nX: 1' })!, /Origin contains a line break/);
  assert.match(checkRequestOptions({ headers: [['X-A', 'ok\u0001']] })!, /control character U\+0001/);
  assert.match(checkRequestOptions({ headers: [['X-A', '\u010d']] })!, /Latin-1 only/);
  assert.match(checkRequestOptions({ headers: [['Bad Name', 'v']] })!, /not a valid HTTP header name/);
  assert.match(checkRequestOptions({ protocols: ['a b'] })!, /not a valid token/);
  assert.throws(() => buildRequest({ url: new URL('ws://h/'), key: 'k', headers: [['X', 'a\r\nInjected: 1']] }), /line break/);
  assert.equal(checkEndpointSettings({ headers: { 'X-A': '1' }, origin: '', subprotocols: ['chat'] }), undefined);
  assert.match(checkEndpointSettings({ headers: { 'X-A': 'a\nb' }, origin: '', subprotocols: [] })!, /^nginxWs\.endpoint\.headers: /);
  assert.match(checkEndpointSettings({ headers: {}, origin: 'x\ry', subprotocols: [] })!, /^nginxWs\.endpoint\.origin: /);
  assert.match(checkEndpointSettings({ headers: {}, origin: '', subprotocols: ['a,b'] })!, /^nginxWs\.endpoint\.subprotocols: /);
  const once = maskHeader('Authorization', 'Bearer abcdefghijklmnopqrstuvwxyz0123456789');
  assert.equal(maskHeader('Authorization', once), once, 'masking twice changes nothing');
  assert.equal(maskText('see ws://u:hunter2secret@h/x?token=abc&room=1'), 'see ws://u:***@h/x?token=***&room=1');
  assert.equal(maskUrl('ws://u:pw@[bad'), 'ws://u:***@[bad', 'an unparseable URL still hides its password');
  const secrets = secretsOf({
    urls: ['ws://u:pw12345@h/?api_key=K3YVALUE99'],
    headers: [
      ['X-Api-Key', 'APIKEY123456'],
      ['Cookie', 'sid=COOKIE9999; theme=dark'],
    ],
    protocols: ['chat', 'tok3nABCDEFGHIJKL1'],
  });
  for (const s of ['pw12345', 'K3YVALUE99', 'APIKEY123456', 'COOKIE9999', 'tok3nABCDEFGHIJKL1']) assert.ok(secrets.includes(s), s);
  const red = redact(
    {
      error: 'upstream said APIKEY123456 and COOKIE9999',
      steps: [{ detail: 'tok3nABCDEFGHIJKL1 refused' }],
      request: { headers: [['Cookie', 'sid=COOKIE9999; theme=dark']] },
    },
    secrets,
  );
  assert.ok(!JSON.stringify(red).match(/APIKEY123456|COOKIE9999|tok3nABCDEFGHIJKL1/), JSON.stringify(red));
});
