/**
 * What an analysis reads is bounded while it reads, and every refusal is said
 * on the `include` line with the limit and how to raise it; "not found" is
 * said only of files that do not exist. Real files, FIFOs, devices, /proc and
 * symlinks on this machine (server/src/node/file-host.ts, glob.ts, trust.ts,
 * engine/model/config.ts), and the findings caps of engine/analyze.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, lintText, DEFAULT_LIMITS, FINDING_LIMITS, type EngineSettings, type Finding } from '../../server/src/engine/index';
import { DiskReader, diskHost, LspFileHost } from '../../server/src/node/file-host';
import { globWalk } from '../../server/src/node/glob';
import { limitsFromEnv } from '../../server/src/node/limits';
import { WorkspacePolicy } from '../../server/src/node/trust';
import { DEFAULT_SETTINGS } from '../../server/src/engine/types';

let dir: string;
const at = (rel: string) => join(dir, rel);
const write = (rel: string, text: string | Buffer) => {
  mkdirSync(join(at(rel), '..'), { recursive: true });
  writeFileSync(at(rel), text);
};
const includeFindings = (fs: Finding[]) => fs.filter((f) => f.code === 'include').map((f) => f.message);
const lint = (root: string, settings: Partial<EngineSettings> = {}, host = diskHost()) =>
  analyze(at(root), host, { ...DEFAULT_SETTINGS, ...settings }).findings;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-ws-budgets-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('disk reads: only regular files, non-blocking, capped while reading', { timeout: 60_000 }, () => {
  const disk = new DiskReader(1024 * 1024);
  execFileSync('mkfifo', [at('pipe.conf')]);
  const fifo = disk.read(at('pipe.conf'));
  assert.ok('error' in fifo && fifo.kind === 'special' && /a FIFO/.test(fifo.error), JSON.stringify(fifo));
  const zero = disk.read('/dev/zero');
  assert.ok('error' in zero && /a character device/.test(zero.error));
  // /proc files say size 0 in stat and never end (pagemap) or block (kmsg): bounded by reading, not by stat.
  const pagemap = disk.read('/proc/self/pagemap');
  assert.ok(
    'error' in pagemap && (pagemap.kind === 'binary' || pagemap.kind === 'too-large' || pagemap.kind === 'unreadable'),
    JSON.stringify(pagemap),
  );
  assert.ok(pagemap.bytes <= 1024 * 1024 + 64 * 1024, `read ${pagemap.bytes} bytes at most`);
  if (existsSync('/proc/kmsg')) {
    const kmsg = disk.read('/proc/kmsg');
    assert.ok('error' in kmsg && ['would-block', 'unreadable', 'binary'].includes(kmsg.kind), JSON.stringify(kmsg));
  }
  const env = disk.read('/proc/self/environ');
  assert.ok('error' in env && env.kind === 'binary', 'environ has NUL separators: not a config');
  write('big.conf', '# x\n'.repeat(300_000));
  const big = disk.read(at('big.conf'));
  assert.ok('error' in big && big.kind === 'too-large' && big.bytes === 0, 'stat tells: refused without reading');
  write('nul.conf', Buffer.from('http {\0}\n'));
  const nul = disk.read(at('nul.conf'));
  assert.ok('error' in nul && nul.kind === 'binary');
  symlinkSync(at('loop-b.conf'), at('loop-a.conf'));
  symlinkSync(at('loop-a.conf'), at('loop-b.conf'));
  const loop = disk.read(at('loop-a.conf'));
  assert.ok('error' in loop && /loop of symbolic links/.test(loop.error));
  const missing = disk.read(at('nope.conf'));
  assert.ok('error' in missing && missing.kind === 'missing');
  write('ok.conf', 'events {}\n');
  const ok = disk.read(at('ok.conf'));
  assert.ok('text' in ok && ok.text === 'events {}\n' && ok.bytes === 10);
});

test(
  'refusals are said on the include line, with the limit and how to raise it; "not found" only when missing',
  { timeout: 60_000 },
  () => {
    write('r/huge.conf', `${'# padding\n'.repeat(2_200_000)}`);
    write(
      'r/nginx.conf',
      `events {}\nhttp {\n  include huge.conf;\n  include ${at('pipe.conf')};\n  include /dev/zero;\n  include ${at('loop-a.conf')};\n  include missing.conf;\n  include /proc/self/environ;\n}\n`,
    );
    const msgs = includeFindings(lint('r/nginx.conf'));
    assert.equal(msgs.length, 6, msgs.join('\n'));
    assert.match(
      msgs[0]!,
      /huge\.conf: larger than 20 MB, the limit for one file \(raise it with NGINX_WS_LIMITS=fileMB=N\); reading stopped there/,
    );
    assert.match(msgs[1]!, /pipe\.conf: not a regular file \(a FIFO\)/);
    assert.match(msgs[2]!, /\/dev\/zero: not a regular file \(a character device\)/);
    assert.match(msgs[3]!, /loop-a\.conf: a loop of symbolic links/);
    assert.match(msgs[4]!, /^Included file not found: missing\.conf/);
    assert.match(msgs[5]!, /\/proc\/self\/environ: a binary file/);
    assert.equal(msgs.filter((m) => /not found/.test(m)).length, 1, 'only the missing file is "not found"');
    // The editor names its settings instead.
    const lsp = new LspFileHost(() => undefined, new DiskReader());
    assert.match(includeFindings(lint('r/nginx.conf', {}, lsp))[0]!, /raise nginxWs\.limits\.fileMB/);
  },
);

test('budgets per analysis: files, bytes and glob entries, one finding per reason', { timeout: 60_000 }, () => {
  for (let i = 0; i < 6; i++) write(`b/conf.d/s${i}.conf`, `# site ${i}\n${'# pad\n'.repeat(200)}`);
  write('b/nginx.conf', 'events {}\nhttp {\n  include conf.d/*.conf;\n}\n');
  const files = includeFindings(lint('b/nginx.conf', { limits: { ...DEFAULT_LIMITS, files: 4 } }));
  assert.deepEqual(files.length, 1, files.join('\n'));
  assert.match(
    files[0]!,
    /^Not read: 3 of the files it matches \(.*s3\.conf, …\): this config already has 4 files, the limit for one config \(raise it with NGINX_WS_LIMITS=files=N\)/,
  );
  const bytes = includeFindings(lint('b/nginx.conf', { limits: { ...DEFAULT_LIMITS, configMB: 3000 / 1048576 } }));
  assert.equal(bytes.length, 1, bytes.join('\n'));
  assert.match(bytes[0]!, /the files of this config reached .* MB, the limit for one config \(raise it with NGINX_WS_LIMITS=configMB=N\)/);
  const entries = includeFindings(lint('b/nginx.conf', { limits: { ...DEFAULT_LIMITS, globEntries: 3 } }));
  assert.match(
    entries[0]!,
    /^include conf\.d\/\*\.conf: the search for matching files stopped after looking at 3 directory entries, the limit for one config \(raise it with NGINX_WS_LIMITS=globEntries=N\)/,
  );
  // The CLI's limits come from its environment.
  assert.deepEqual(limitsFromEnv('files=5000, configMB=100').limits, { ...DEFAULT_LIMITS, files: 5000, configMB: 100 });
  assert.equal(limitsFromEnv('files=x').problems.length, 1);
});

test('glob walks are bounded: a huge tree or /*/*/*/*/* costs the budget, not the disk', { timeout: 60_000 }, () => {
  const r = globWalk('/*/*/*/*/*', { maxEntries: 5000 });
  assert.equal(r.visited, 5000, 'looked at exactly the budget');
  assert.deepEqual(r.stopped, { why: 'entries', limit: 5000 });
  const usr = globWalk('/usr/bin/*', { maxEntries: 100 });
  assert.ok(usr.files.length <= 100 && usr.stopped?.why === 'entries');
  // A literal pattern costs one stat.
  assert.equal(globWalk(at('b/nginx.conf')).visited, 1);
});

test('includes nested deeper than 32 are not called a cycle; a cycle is', () => {
  for (let i = 0; i < 40; i++) write(`d/f${i}.conf`, `include f${i + 1}.conf;\n`);
  write('d/f40.conf', '# end\n');
  write('d/nginx.conf', 'events {}\nhttp { include f0.conf; }\n');
  const deep = includeFindings(lint('d/nginx.conf'));
  assert.ok(deep.some((m) => /nested deeper than 32 levels/.test(m)) && !deep.some((m) => /cycle/.test(m)), deep.join('\n'));
  write('c/a.conf', 'include b.conf;\n');
  write('c/b.conf', 'include a.conf;\n');
  write('c/nginx.conf', 'events {}\nhttp { include a.conf; }\n');
  assert.ok(includeFindings(lint('c/nginx.conf')).some((m) => /^Include cycle: .*a\.conf → b\.conf → a\.conf/.test(m)));
});

test('untrusted workspace: nothing outside its folders is read, a symlink out of it neither', () => {
  write(
    'ws/nginx.conf',
    `events {}\nhttp {\n  include /etc/passwd;\n  include evil.conf;\n  include /etc/*.conf;\n  include /proc/self/environ;\n  include inside.conf;\n}\n`,
  );
  write('ws/inside.conf', 'proxy_read_timeout 1h;\n');
  symlinkSync('/etc/passwd', at('ws/evil.conf'));
  const policy = new WorkspacePolicy(false, [at('ws')]);
  const host = () => new LspFileHost(() => undefined, new DiskReader(undefined, { policy: (p) => policy.refusal(p) }));
  const a = analyze(at('ws/nginx.conf'), host(), DEFAULT_SETTINGS);
  const msgs = includeFindings(a.findings);
  assert.equal(msgs.length, 4, msgs.join('\n'));
  assert.match(msgs[0]!, /^Not read: \/etc\/passwd: outside the workspace folders, and this workspace is not trusted/);
  assert.match(msgs[1]!, /evil\.conf: a symbolic link to \/etc\/passwd, which is outside the workspace folders/);
  assert.match(msgs[2]!, /^include \/etc\/\*\.conf: outside the workspace folders/);
  assert.match(msgs[3]!, /\/proc\/self\/environ: outside the workspace folders/);
  assert.deepEqual([...a.files.keys()].sort(), [at('ws/inside.conf'), at('ws/nginx.conf')]);
  assert.ok(!a.findings.some((f) => /root:/.test(f.message)), 'no line of /etc/passwd shows up anywhere');
  // Trust granted: the same config reads them.
  policy.setTrusted(true);
  const t = analyze(at('ws/nginx.conf'), host(), DEFAULT_SETTINGS);
  assert.ok(t.files.has('/etc/passwd'));
});

test('findings: at most 200 per rule and file with one summary, parse errors too, messages cut', { timeout: 60_000 }, () => {
  const many = `http {\n${'  proxy_set_header X $undefined_var;\n'.repeat(5000)}}\n`;
  const f = lintText(many);
  const undef = f.filter((x) => x.code === 'undefined-variable');
  assert.equal(undef.length, FINDING_LIMITS.perRulePerFile + 1);
  assert.match(
    undef.at(-1)!.message,
    /^4800 more undefined-variable findings in this file are not shown \(at most 200 per rule and file\); the first is here/,
  );
  assert.equal(undef.at(-1)!.range.start.line, 201, 'the summary sits at the first finding not shown');
  const broken = lintText(`${'}\n'.repeat(600)}`);
  const syntax = broken.filter((x) => x.code === 'syntax');
  assert.equal(syntax.length, FINDING_LIMITS.perRulePerFile + 1);
  assert.match(syntax.at(-1)!.message, /^400 more syntax errors in this file are not shown/);
  const token = lintText(`http { ${'x'.repeat(3_000_000)} b\n}`);
  assert.ok(token.length > 0 && token.every((x) => x.message.length <= FINDING_LIMITS.messageChars), 'a 3 MB token is not quoted whole');
});

test('findings caps: a suppressed finding does not count against them, and a suppression past the cap is still used', () => {
  const ignore = '    # nginx-ws-ignore invalid-time-value: kept on purpose\n';
  const bad = '    proxy_read_timeout 1x;\n';
  const config = (body: string) => `events {}\nhttp {\n  server {\n   listen 80;\n   location / {\n${body}   }\n  }\n}\n`;
  const of = (text: string, code: string) => lintText(text).filter((f) => f.code === code);
  // 201 findings, the first suppressed: the 200 others are all shown, and nothing says "more".
  const first = of(config(ignore + bad.repeat(201)), 'invalid-time-value');
  assert.equal(first.length, 200);
  assert.ok(!first.some((f) => /not shown/.test(f.message)));
  // The same with the suppression on the 201st (past the cap when it is reached): 200 shown, no summary, no unused suppression.
  const lastText = config(bad.repeat(200) + ignore + bad);
  const last = of(lastText, 'invalid-time-value');
  assert.equal(last.length, 200);
  assert.ok(!last.some((f) => /not shown/.test(f.message)));
  assert.deepEqual(of(lastText, 'suppression'), [], 'the suppression past the cap matched its finding');
  // Three suppressed among 260: 257 left, 200 shown and one summary that counts the other 57.
  const mixed = of(
    config(ignore + bad + bad.repeat(100) + ignore + bad + bad.repeat(100) + ignore + bad + bad.repeat(57)),
    'invalid-time-value',
  );
  assert.equal(mixed.length, 201);
  assert.match(mixed.at(-1)!.message, /^57 more invalid-time-value findings in this file are not shown \(at most 200 per rule and file\)/);
  // The per-file cap counts what is left after suppressions too: 1,000 findings of five rules (the no-break space is
  // lookalike-whitespace and unknown-directive) and one more suppressed.
  const four = ['proxy_set_header X $undefined_var;', 'proxy_read_timeout 1x;', 'add_header\u00a0X y;', 'worker_processes 2;'];
  const full = config(`${ignore}${bad}${four.map((l) => `    ${l}\n`.repeat(200)).join('')}`);
  const all = lintText(full);
  assert.equal(all.length, 1000, [...new Set(all.map((f) => f.code))].join());
  assert.ok(!all.some((f) => f.code === 'limit' || /not shown/.test(f.message)));
  const over = lintText(full.replace(ignore, ''));
  assert.equal(over.length, 1001);
  assert.match(over.at(-1)!.message, /^1 more finding in this file is not shown \(at most 1000 per file\)/);
});
