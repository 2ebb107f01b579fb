/**
 * `npm run verify:nginx -- [--count N] [--seed S] [--concurrency C] [--keep DIR]`:
 * the request model against real nginx on N generated configs (see
 * harness.ts). Prints the agreement rate and every mismatch with the seed
 * that reproduces it; exits 1 on any mismatch.
 */
import { generateConfig, runConfig, type ConfigResult } from './harness';
import { startRecordingBackend } from './recording-backend';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main() {
  const count = flag('count', 200);
  const seed = flag('seed', 1);
  const concurrency = Math.max(1, flag('concurrency', 2));
  const ki = process.argv.indexOf('--keep');
  const keep = ki >= 0 ? process.argv[ki + 1] : 'test-results/differential';
  const results: ConfigResult[] = [];
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    // One backend per worker: requests are sent one at a time, so what it records belongs to the request in flight.
    const backend = await startRecordingBackend();
    while (next < count) {
      const s = seed + next++;
      const r = await runConfig(generateConfig(s), backend, keep);
      results.push(r);
      if (r.rejected)
        console.log(
          `seed ${s}: nginx rejected the config: ${r.rejected.split('\n').find((l) => l.includes('emerg')) ?? r.rejected.slice(0, 300)}`,
        );
      for (const u of r.unknown) console.log(`not predicted: ${u}`);
      for (const m of r.mismatches) console.log(`seed ${s} request ${m.request} ${m.what}:\n   nginx: ${m.nginx}\n   model: ${m.model}`);
    }
    await backend.stop();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const requests = results.reduce((n, r) => n + (r.rejected ? 0 : r.requests), 0);
  const agreed = results.reduce((n, r) => n + r.agreed, 0);
  const abstained = results.reduce((n, r) => n + r.abstained, 0);
  const rejected = results.filter((r) => r.rejected).length;
  const configsAgreeing = results.filter((r) => !r.rejected && !r.mismatches.length).length;
  const decided = requests - abstained;
  console.log(
    `\n${count} configs (seeds ${seed}..${seed + count - 1}), ${rejected} rejected by nginx; ${requests} handshakes: ` +
      `${agreed}/${decided} predicted exactly (${((100 * agreed) / Math.max(1, decided)).toFixed(2)}%), ${abstained} not predicted (unknown); ` +
      `${configsAgreeing}/${count - rejected} configs with no mismatch; ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  process.exitCode = agreed === decided && rejected === 0 ? 0 : 1;
}

void main();
