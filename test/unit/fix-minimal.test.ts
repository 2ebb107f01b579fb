/** Fixes change only what they must: an upgrade map under another name is reused, a chosen balancing method is not swapped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../server/src/engine/index';
import { applyEdits } from '../../server/src/engine/fixes/edits';

const HTTP = (inner: string) => `events {}\nhttp {\n${inner}}\n`;
const LOC = (conn: string) =>
  `    server {\n        listen 80;\n        location /ws/ {\n            proxy_pass http://backends;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection ${conn};\n            proxy_read_timeout 1h;\n        }\n    }\n`;

function fixAll(text: string): string {
  let out = text;
  for (let round = 0; round < 4; round++) {
    const f = lintText(out).find((x) => x.fixes.length && x.severity !== 'information' && x.severity !== 'hint');
    if (!f) break;
    out = applyEdits(out, f.fixes[0]!.changes[0]!.edits);
  }
  return out;
}

test('an upgrade map that exists under another name is reused, not doubled', () => {
  const map = "    map $http_upgrade $conn_up { default upgrade; '' close; }\n";
  const upstream = '    upstream backends { server 127.0.0.1:3000; }\n';
  // $connection_upgrade is undefined, but $conn_up maps $http_upgrade: use it.
  const undefinedVar = HTTP(map + upstream + LOC('$connection_upgrade'));
  const f = lintText(undefinedVar).find((x) => x.code === 'undefined-variable')!;
  assert.match(f.fixes[0]!.title, /Use \$conn_up/);
  const fixed = fixAll(undefinedVar);
  assert.equal((fixed.match(/map \$http_upgrade/g) ?? []).length, 1, fixed);
  assert.match(fixed, /proxy_set_header Connection \$conn_up;/);
  assert.deepEqual(
    lintText(fixed).filter((x) => x.severity === 'error'),
    [],
  );
  // The keep-alive clash (Connection "") is fixed with the existing map too.
  const clash = HTTP(map + '    upstream backends { server 127.0.0.1:3000; keepalive 8; }\n' + LOC('""'));
  const fixedClash = fixAll(clash);
  assert.equal((fixedClash.match(/map \$http_upgrade/g) ?? []).length, 1, fixedClash);
  assert.match(fixedClash, /proxy_set_header Connection \$conn_up;/);
});

test('an upstream that chose least_conn keeps it: the affinity finding stays, with no fix that swaps the method', () => {
  const text = HTTP(
    "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    upstream backends {\n        least_conn;\n        server 127.0.0.1:3000;\n        server 127.0.0.1:3001;\n    }\n" +
      LOC('$connection_upgrade'),
  );
  const f = lintText(text).find((x) => x.code === 'ws-upstream-no-affinity')!;
  assert.deepEqual(f.fixes, []);
  assert.match(f.message, /it uses least_conn, so affinity means choosing another method \(no automatic fix\)/);
  const plain = lintText(text.replace('        least_conn;\n', '')).find((x) => x.code === 'ws-upstream-no-affinity')!;
  assert.match(plain.fixes[0]!.title, /Add ip_hash/);
});
