/**
 * What a subcommand of `nginx-ws` is: its help (printed by `nginx-ws NAME
 * --help` and `nginx-ws help NAME`), its lines in the top-level usage, and
 * its entry point, which returns the exit code (0 ok, 1 problems found /
 * endpoint failed, 2 usage or I/O error). A new command is one file
 * exporting a Command and one line in main.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  /** Its lines in `nginx-ws --help`, each `nginx-ws NAME ...`. */
  synopsis: string[];
  /** One line: what it does. */
  summary: string;
  /** The whole `--help` text. */
  help: string;
  run(argv: string[]): Promise<number>;
}

/** A bad flag, value or argument: printed as `nginx-ws CMD: message` with a pointer to --help, exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` with messages a person can act on (the flag, what it wants, where the help is). */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  // `--threshold -1`: a value that looks like an option is still the flag's value, so its check can say what is wrong with it.
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(a) && next !== undefined && /^-(?:\d|\.\d)/.test(next)) {
      args.push(`${a.startsWith('--') ? a : `--${Object.entries(options).find(([, o]) => `-${o.short}` === a)![0]}`}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const m = (e as Error).message.split('\n')[0]!;
    const unknown = /Unknown option '([^']+)'/.exec(m);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const needsValue = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(m);
    if (needsValue) throw new UsageError(`${needsValue[1]} needs a value`);
    throw new UsageError(m.replace(/\. To specify a positional argument.*$/, ''));
  }
}

/** A number of `unit` given to `flag`: finite, not negative (and not 0 unless `zeroOk`); integer when `integer`. */
export function numberFlag(raw: string, flag: string, unit: string, o: { zeroOk?: boolean; integer?: boolean } = {}): number {
  const n = Number(raw);
  const zeroOk = o.zeroOk ?? true;
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (!zeroOk && n === 0) || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(
      `${flag} wants ${zeroOk ? 'a non-negative' : 'a positive'} ${o.integer ? 'whole number' : 'number'} of ${unit}, got '${raw}'`,
    );
  }
  return n;
}

/** One of `allowed` given to `flag`. */
export function choiceFlag<T extends string>(raw: string, flag: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${flag} wants one of ${allowed.join(', ')}, got '${raw}'`);
}

/** Runs a command body, turning a UsageError into its message on stderr and exit code 2. */
export async function withUsage(name: string, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`nginx-ws ${name}: ${e.message}\n(nginx-ws ${name} --help shows the options)\n`);
    return 2;
  }
}
