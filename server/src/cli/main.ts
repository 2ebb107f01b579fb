/**
 * `nginx-ws`: the engine and the endpoint tester on the command line. A
 * dispatcher only: each command is one module exporting a `Command` (its
 * help, its synopsis lines, its entry point), listed below. `--help` after
 * any command prints that command's help; `nginx-ws --help` the whole usage.
 * Exit codes: 0 ok, 1 problems found / endpoint failed, 2 usage or I/O error.
 */
import type { Command } from './command';
import { lintCommand } from './lint';
import { testCommand } from './test-command';
import { endpointsCommand } from './endpoints-command';
import { proveCommand } from './prove-command';
import { traceCommand } from './trace-command';
import { fmtCommand } from './fmt';
import { version } from './version';

const COMMANDS: Command[] = [lintCommand, testCommand, endpointsCommand, proveCommand, traceCommand, fmtCommand];

function usage(): string {
  const lines = ['usage: nginx-ws COMMAND [options]', ''];
  for (const c of COMMANDS) lines.push(...c.synopsis.map((s) => `  ${s}`), `      ${c.summary}`);
  lines.push(
    '  nginx-ws help COMMAND, nginx-ws COMMAND --help',
    '      the options of one command',
    '  nginx-ws --version',
    '',
    'exit codes: 0 ok, 1 problems found or endpoint failed, 2 usage or I/O error',
  );
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd) {
    process.stderr.write(usage());
    return 2;
  }
  if (cmd === '-h' || cmd === '--help') {
    process.stdout.write(usage());
    return 0;
  }
  if (cmd === '-v' || cmd === '--version' || cmd === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (cmd === 'help') {
    const c = rest[0] ? COMMANDS.find((x) => x.name === rest[0]) : undefined;
    if (rest[0] && !c) {
      process.stderr.write(`nginx-ws: no command '${rest[0]}'\n${usage()}`);
      return 2;
    }
    process.stdout.write(c ? c.help : usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === cmd);
  if (!command) {
    process.stderr.write(`nginx-ws: unknown command '${cmd}'\n${usage()}`);
    return 2;
  }
  const end = rest.indexOf('--');
  const flags = end < 0 ? rest : rest.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest);
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
