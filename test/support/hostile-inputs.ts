/**
 * Big and hostile parser inputs, shared by the hostile tests (parse and lint
 * in linear time, test/unit/parser-hostile.test.ts) and the differential test
 * (same tree as the reference parser, test/unit/parser-differential.test.ts).
 * Each shape builds its input for a size factor; all are deterministic.
 */
import { generateConfig, serversForBytes } from '../../bench/generate';

const MB = 1024 * 1024;

/** A deterministic pseudo-random generator (xorshift32), so a failure reproduces. */
export function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

export interface Shape {
  name: string;
  /** Builds the input for a size factor (1 = base size, 4 = four times as big). */
  make: (k: number) => string;
  runs?: number;
  /** Smaller inputs for the lint timing when linting the full size would take too long for a unit test. */
  lintMake?: (k: number) => string;
  /** Known non-linear lint behaviour (rules are not this file's code): the scaling check is reported as TODO. */
  lintTodo?: string;
}

export const shapes: Shape[] = [
  {
    name: 'generated config 2.5 MB / 10 MB',
    make: (k) => generateConfig({ servers: serversForBytes(2.5 * MB * k) }),
    runs: 2,
    // Without the Upgrade header every server yields a finding with a fix: many findings is where lint went quadratic before.
    lintMake: (k) => generateConfig({ servers: 500 * k }).replace(/ *proxy_set_header Upgrade \$http_upgrade;\n/g, ''),
  },
  { name: '5,000 / 20,000 levels of nesting', make: (k) => 'a {\n'.repeat(5000 * k) + 'leaf;\n' + '}\n'.repeat(5000 * k) },
  { name: '5,000 / 20,000 unclosed levels', make: (k) => 'location / {\n'.repeat(5000 * k) + 'proxy_pass http://x;\n' },
  {
    name: 'indented unclosed blocks (indentation pass) 1,000 / 4,000 servers',
    make: (k) => '    server {\n        listen 80;\n        location / {\n            root x;\n'.repeat(1000 * k),
  },
  { name: 'a single line of 1.25 MB / 5 MB (one huge argument)', make: (k) => 'add_header X "' + 'a'.repeat(1.25 * MB * k) + '";' },
  {
    name: 'a single line of 256 KB / 1 MB of directives',
    make: (k) => 'a b; c { d e; } '.repeat((256 * 1024 * k) / 16),
  },
  { name: 'a 1.25 MB / 5 MB unterminated string', make: (k) => 'return 200 "' + 'x'.repeat(1.25 * MB * k) },
  { name: 'a 1.25 MB / 5 MB word of ${', make: (k) => 'set $a ' + '${'.repeat((1.25 * MB * k) / 2) + ';' },
  { name: '256 KB / 1 MB random bytes as latin1', make: (k) => randomBytes(256 * 1024 * k, 7).toString('latin1') },
  { name: '256 KB / 1 MB random bytes as utf8', make: (k) => randomBytes(256 * 1024 * k, 11).toString('utf8') },
  { name: "256 KB / 1 MB of '{'", make: (k) => '{'.repeat(256 * 1024 * k) },
  { name: "256 KB / 1 MB of '}'", make: (k) => '}'.repeat(256 * 1024 * k) },
  { name: "stray '{' then directives (phantom frames)", make: (k) => '{'.repeat(16 * 1024 * k) + 'a;'.repeat(16 * 1024 * k) },
  { name: 'alternating quotes and newlines', make: (k) => '"\n\'\n\\"\n'.repeat(64 * 1024 * k) },
  { name: 'Lua block full of long brackets', make: (k) => 'content_by_lua_block {' + '[=[ --[[ { '.repeat(64 * 1024 * k) },
  // A file of comments only: every comment is "leading", which once made the context check quadratic.
  { name: '64K / 256K comment lines and nothing else', make: (k) => '# pad\n'.repeat(64 * 1024 * k) },
  {
    name: 'CRLF config 1,000 / 4,000 servers',
    make: (k) => generateConfig({ servers: 1000 * k }).replace(/\n/g, '\r\n'),
    lintMake: (k) => generateConfig({ servers: 250 * k }).replace(/\n/g, '\r\n'),
  },
];
