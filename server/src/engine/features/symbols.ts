/**
 * Document outline: every block directive as a nested symbol, named the way
 * a reader scans a config (`server example.com :443`, `location ~ ^/ws/`,
 * `upstream backend`, `map $http_upgrade → $connection_upgrade`).
 */
import type { Directive, SourceFile, Statement } from '../syntax/ast';
import { SymbolKind, type DocumentSymbol } from './types';

const KINDS: Record<string, number> = {
  http: SymbolKind.Namespace,
  stream: SymbolKind.Namespace,
  mail: SymbolKind.Namespace,
  events: SymbolKind.Namespace,
  server: SymbolKind.Class,
  location: SymbolKind.Method,
  if: SymbolKind.Function,
  limit_except: SymbolKind.Function,
  upstream: SymbolKind.Struct,
  map: SymbolKind.Variable,
  geo: SymbolKind.Variable,
  split_clients: SymbolKind.Variable,
  types: SymbolKind.Object,
};

export function documentSymbols(file: SourceFile): DocumentSymbol[] {
  const root: DocumentSymbol[] = [];
  const stack: { list: Statement[]; out: DocumentSymbol[] }[] = [{ list: file.children, out: root }];
  while (stack.length) {
    const { list, out } = stack.pop()!;
    for (const s of list) {
      if (s.type !== 'directive' || !s.block) continue;
      const sym: DocumentSymbol = {
        name: symbolName(s),
        kind: KINDS[s.name] ?? SymbolKind.Module,
        range: s.range,
        selectionRange: file.rangeOf(s.nameToken.start, s.argCount ? s.args[s.argCount - 1]!.end : s.nameToken.end),
      };
      const detail = symbolDetail(s);
      if (detail) sym.detail = detail;
      out.push(sym);
      if (s.block.children.length) {
        sym.children = [];
        stack.push({ list: s.block.children, out: sym.children });
      }
    }
  }
  return root;
}

function symbolName(d: Directive): string {
  // Source text of the arguments, whitespace collapsed: `if ($a = "")` keeps its `"")` together.
  const raw = d.argCount ? d.file.text.slice(d.args[0]!.start, d.args[d.argCount - 1]!.end).replace(/\s+/g, ' ') : '';
  switch (d.name) {
    case 'server': {
      const own = d.block!.directives();
      const names = own.filter((x) => x.name === 'server_name').flatMap((x) => x.args.map((a) => a.value));
      if (names.length) return `server ${names.join(' ')}`;
      const listen = own.find((x) => x.name === 'listen');
      return listen ? `server ${listen.arg(0) ?? ''}`.trimEnd() : 'server';
    }
    case 'map':
    case 'split_clients':
      return d.argCount >= 2 ? `${d.name} ${d.args[0]!.raw} → ${d.args[1]!.raw}` : `${d.name} ${raw}`.trimEnd();
    case 'geo':
      return d.argCount >= 2 ? `geo ${d.args[0]!.raw} → ${d.args[1]!.raw}` : `geo ${raw}`.trimEnd();
    default:
      return raw ? `${d.name} ${raw}` : d.name;
  }
}

function symbolDetail(d: Directive): string | undefined {
  if (d.name !== 'server') return undefined;
  const listens = d
    .block!.directives()
    .filter((x) => x.name === 'listen')
    .map((x) => x.args.map((a) => a.value).join(' '));
  return listens.length ? `listen ${listens.join(', ')}` : undefined;
}
