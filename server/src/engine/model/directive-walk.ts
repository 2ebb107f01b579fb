/**
 * One walk over a list of directives and their scopes (a whole model's flat
 * list, or one scope's subtree) for the passes that each look at every
 * directive: the variable uses, and the definitions of a scope's subtree (a
 * whole model's definitions are read from its name index instead, see
 * `collectDefinitions`). Each pass keeps its own logic in its own file as a
 * visitor; walking once reads each directive object once for all of them (on
 * the 15 MB bench config, 400,000 directives, a separate walk costs its cache
 * misses and, in a cold run, its own loop's warm-up).
 */
import type { Directive } from '../syntax/ast';
import type { DirectiveList, Scope } from './config';

/** A pass over every directive: called once per directive, in the list's order. */
export interface DirectiveVisitor {
  visit(d: Directive, scope: Scope): void;
}

/** Calls every visitor for each directive of `list`, in order (visitors in the order given, per directive). */
export function walkDirectives(list: DirectiveList, visitors: readonly DirectiveVisitor[]): void {
  const { directives, scopes } = list;
  for (let k = 0; k < directives.length; k++) {
    const d = directives[k]!;
    const scope = scopes[k]!;
    for (let v = 0; v < visitors.length; v++) visitors[v]!.visit(d, scope);
  }
}
