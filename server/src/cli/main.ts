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
import { version } from './version';

const COMMANDS: Command[] = [
  lintCommand,
  testCommand,
  endpointsCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.flatMap((c) => c.synopsis.map((s) => s.length)));
  const lines = ['usage: nginx-ws COMMAND [options]', '', 'commands:'];
  for (const c of COMMANDS) {
    c.synopsis.forEach((s, i) => lines.push(`  ${i === 0 ? s.padEnd(width) + '  ' + c.summary : s}`));
  }
  lines.push(
    `  ${'nginx-ws help COMMAND'.padEnd(width)}  the options of one command (or COMMAND --help)`,
    `  ${'nginx-ws --version'.padEnd(width)}  the version`,
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
