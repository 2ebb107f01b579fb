/**
 * `nginx-ws fmt [--check] [--diff] [--indent N|tab] PATH... | -`: the
 * editor's formatter (engine/features/format) on files, folders (walked for
 * nginx files as `lint` walks them) or stdin.
 *
 * It only changes the whitespace between the words nginx reads, so a
 * formatted config means to nginx exactly what it meant before. Files are
 * rewritten atomically (node/atomic-write.ts), and their bytes are kept as
 * they are: a file that is not valid UTF-8 is handled byte for byte. A file
 * with syntax errors is not formatted (its blocks are a guess); it is named
 * with its first error. The indentation comes from --indent, else the
 * `indent` of the nearest .nginx-ws.json, else four spaces.
 *
 * Exit: 0 done (or, with --check, nothing to format); 1 with --check when a
 * file is not formatted; 2 for usage errors, unreadable files and files
 * with syntax errors.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { parse, formatText } from '../engine/index';
import { AtomicWriteError, writeFileAtomic } from '../node/atomic-write';
import { DiskReader, MAX_FILE_BYTES } from '../node/file-host';
import { parseIndent, SettingsFiles } from '../node/settings-file';
import { parseCommandArgs, UsageError, withUsage, type Command } from './command';
import { readStdin } from './lint';
import { collectTargets } from './project';

const HELP = `usage: nginx-ws fmt [--check] [--diff] [--indent N|tab] PATH...
       nginx-ws fmt [options] - < nginx.conf

Formats nginx configs in place: one statement per line, one indentation level
per block, single spaces between words, blank-line runs collapsed. Only the
whitespace between the words nginx reads changes: quotes, comments, Lua
blocks and map rows keep their text, so nginx reads the same config. PATH is
a file, a folder (walked for nginx files as lint walks them), or - for stdin
(formatted to stdout; text with syntax errors comes back unchanged).

  --check         change nothing; list the files that are not formatted
  --diff          change nothing; print the changes as a unified diff
  --indent N|tab  N spaces (1-16) or a tab per level; default: the "indent"
                  of the nearest .nginx-ws.json, else 4 spaces
  --no-settings   ignore .nginx-ws.json files
  -h, --help      this help

exit codes: 0 formatted (or nothing to do), 1 --check found unformatted
files, 2 usage error, a file that cannot be read or written, or a file with
syntax errors (named with its first error; the others are still formatted)
`;

export const fmtCommand: Command = {
  name: 'fmt',
  synopsis: ['nginx-ws fmt [--check] [--diff] [--indent N|tab] PATH...'],
  summary: "format configs as the editor does (only whitespace between nginx's words)",
  help: HELP,
  run: (argv) => withUsage('fmt', () => run(argv)),
};

interface Options {
  check: boolean;
  diff: boolean;
  /** The indentation for a file (flag, settings file, default). */
  indentFor: (path: string | null) => string;
}

function run(argv: string[]): number {
  const { values: v, positionals } = parseCommandArgs(argv, {
    check: { type: 'boolean' },
    diff: { type: 'boolean' },
    indent: { type: 'string' },
    'no-settings': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let flagIndent: string | undefined;
  if (v.indent !== undefined) {
    const unit = parseIndent(v.indent);
    if (unit === null) throw new UsageError(`--indent wants a number of spaces from 1 to 16 or 'tab', got '${v.indent}'`);
    flagIndent = unit;
  }
  const settings = v['no-settings'] ? null : new SettingsFiles(new DiskReader());
  const opts: Options = {
    check: !!v.check,
    diff: !!v.diff,
    indentFor: (path) => flagIndent ?? (path && settings ? settings.forFile(path)?.settings.indent : undefined) ?? '    ',
  };
  if (!positionals.length) throw new UsageError('no PATH given (a file, a folder, or - for stdin)');
  if (positionals.includes('-')) {
    if (positionals.length > 1) throw new UsageError('- (stdin) cannot be combined with other PATHs');
    return formatStdin(opts);
  }

  const notes: string[] = [];
  const targets = collectTargets(positionals, notes);
  for (const n of notes) process.stderr.write(`nginx-ws fmt: ${n}\n`);
  if (!targets.length) {
    process.stderr.write('nginx-ws fmt: no nginx file found under the given paths\n');
    return 2;
  }
  let changed = 0;
  let refused = 0;
  for (const t of targets) {
    const r = readBounded(t.path);
    if ('error' in r) {
      process.stderr.write(`nginx-ws fmt: ${t.display}: ${r.error}\n`);
      refused++;
      continue;
    }
    const { text, encoding } = decodeExactly(r.bytes);
    const out = formatOrExplain(text, t.display, opts.indentFor(t.path));
    if (out === null) {
      refused++;
      continue;
    }
    if (out === text) continue;
    changed++;
    if (opts.diff) process.stdout.write(unifiedDiff(t.display, text, out));
    else if (opts.check) process.stdout.write(`${t.display}\n`);
    if (opts.check || opts.diff) continue;
    try {
      writeFileAtomic(t.path, Buffer.from(out, encoding));
      process.stderr.write(`formatted ${t.display}\n`);
    } catch (e) {
      const why = e instanceof AtomicWriteError ? e.message : (e as Error).message;
      process.stderr.write(`nginx-ws fmt: ${t.display}: not written, the file is unchanged: ${why}\n`);
      changed--;
      refused++;
    }
  }
  const n = targets.length;
  const verb = opts.check || opts.diff ? 'would be reformatted' : 'reformatted';
  const parts = [`${changed} ${verb}`, `${n - changed - refused} already formatted`];
  if (refused) parts.push(`${refused} not formatted (see above)`);
  process.stderr.write(`${n} file${n === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
  if (refused) return 2;
  return opts.check && changed > 0 ? 1 : 0;
}

/** The formatted text; null (with the reason on stderr) when the text has syntax errors. */
function formatOrExplain(text: string, name: string, indent: string): string | null {
  const file = parse(text, name);
  const out = formatText(file, { indent });
  if (out !== null) return out;
  const e = file.errors[0]!;
  const p = file.lines.positionAt(e.start);
  const more = file.errors.length > 1 ? ` (and ${file.errors.length - 1} more syntax error${file.errors.length > 2 ? 's' : ''})` : '';
  process.stderr.write(`nginx-ws fmt: ${name}:${p.line + 1}:${p.character + 1}: not formatted: ${e.message}${more}\n`);
  return null;
}

function formatStdin(opts: Options): number {
  const bytes = readStdin();
  const { text, encoding } = decodeExactly(bytes);
  const out = formatOrExplain(text, '<stdin>', opts.indentFor(null));
  if (out === null) {
    // A filter never loses text: what came in goes out unchanged.
    if (!opts.check && !opts.diff) process.stdout.write(bytes);
    return 2;
  }
  if (opts.diff) {
    if (out !== text) process.stdout.write(unifiedDiff('<stdin>', text, out));
  } else if (!opts.check) process.stdout.write(Buffer.from(out, encoding));
  return opts.check && out !== text ? 1 : 0;
}

function unifiedDiff(name: string, before: string, after: string): string {
  // Without jsdiff's `Index:` and `===` lines: the `---`/`+++` header `patch` and `git apply` read.
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, '', '', { context: 3 }).replace(/^(Index:.*\n)?=+\n/, '');
}

/**
 * Text that encodes back to exactly `bytes`: UTF-8 when it is valid UTF-8,
 * else one character per byte (every character nginx treats specially is
 * ASCII, so the formatter reads such a file as nginx does and the bytes it
 * does not touch are written back unchanged).
 */
function decodeExactly(bytes: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, encoding: 'utf8' };
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
}

/** A regular file's bytes, with the size cap enforced while reading (a /proc file says size 0), never blocking. */
function readBounded(path: string): { bytes: Buffer } | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { error: `cannot read: ${(e as Error).message}` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { error: 'not a regular file' };
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
      total += n;
      if (total > MAX_FILE_BYTES) return { error: `larger than the ${MAX_FILE_BYTES / (1024 * 1024)} MB limit; not formatted` };
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return { bytes: Buffer.concat(chunks) };
  } catch (e) {
    return { error: `cannot read: ${(e as Error).message}` };
  } finally {
    closeSync(fd);
  }
}
