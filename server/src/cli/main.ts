/**
 * `nginx-ws`: the engine and the endpoint tester on the command line.
 * Each subcommand lives in its own module and returns an exit code:
 * 0 ok, 1 problems found / endpoint failed, 2 usage or I/O error.
 */
import { run as lint } from './lint';
import { run as test } from './test-command';
import { run as endpoints } from './endpoints-command';

const USAGE = `usage:
  nginx-ws lint [--format text|json|sarif] PATH...
  nginx-ws test URL [--json] [--timeout MS] [--idle SECONDS] [--insecure] [--origin O] [--header 'K: V']... [--protocol P]...
  nginx-ws test --config FILE --location PATH [options]
  nginx-ws endpoints FILE [--json]
`;

const commands: Record<string, (argv: string[]) => Promise<number>> = { lint, test, endpoints };

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const handler = commands[cmd];
  if (!handler) {
    process.stderr.write(`nginx-ws: unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nginx-ws: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
