#!/usr/bin/env node
// The e2e sessions' nginxWs.endpoint.reloadCommand: copies the workspace's
// nginx.conf over the one the test nginx runs, sends the master SIGHUP and
// waits (on /proc, not on time) until every worker that served the old config
// is gone and a new one is up, so the test that runs next sees the new config.
//
//   node reload-nginx.mjs SRC_CONF DEST_CONF MASTER_PID
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';

const [src, dest, pidText] = process.argv.slice(2);
const master = Number(pidText);
if (!src || !dest || !Number.isInteger(master)) {
  console.error('usage: reload-nginx.mjs SRC_CONF DEST_CONF MASTER_PID');
  process.exit(2);
}

function workers() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) out.push(Number(d));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

copyFileSync(src, dest);
const before = new Set(workers());
process.kill(master, 'SIGHUP');
const deadline = Date.now() + 20_000;
for (;;) {
  const now = workers();
  if (now.length > 0 && now.every((p) => !before.has(p))) break;
  if (Date.now() > deadline) {
    console.error(`nginx ${master} did not replace its workers ${[...before].join(', ')} (now: ${now.join(', ')})`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 50));
}
console.log(`nginx ${master} reloaded ${dest}`);
