/** The editor features, for the LSP adapter: pure functions over an `Analysis` (or one `SourceFile`). */
export { contextProblems, type ContextProblem, type ContextCheckOptions } from './context-check';
export { hover, type HoverOptions } from './hover';
export { traceLocationDirective, traceUrl, traceHover, type LocationTraces } from './trace';
export { completions, type CompletionOptions } from './completion';
export { documentSymbols } from './symbols';
export { foldingRanges } from './folding';
export { definition, references, prepareRename, rename, documentLinks, type NavigationOptions } from './navigation';
export { formatDocument, formatText, formatRange, formatOnType, type FormatOptions } from './format';
export { topContextIn, declaredContext, type BlockContext } from './context';
export * from './types';
