/** The editor features, for the LSP adapter: pure functions over an `Analysis` (or one `SourceFile`). */
export { contextProblems, type ContextProblem, type ContextCheckOptions } from '../model/context-check';
export { hover, type HoverOptions } from './hover';
export { traceLocationDirective, traceUrl, traceHover, type LocationTraces } from './trace';
export { completions, resolveCompletion, type CompletionOptions, type CompletionData } from './completion';
export { signatureHelp, type SignatureHelpOptions } from './signature-help';
export { HOVER_PARTS, type HoverPart, type HoverRequest } from './hover';
export { documentSymbols } from './symbols';
export { foldingRanges } from './folding';
export { definition, references, prepareRename, rename, documentLinks, type NavigationOptions } from './navigation';
export { formatDocument, formatText, formatRange, formatOnType, type FormatOptions } from './format';
export { topContextIn, declaredContext, type BlockContext } from '../model/contexts';
export * from './types';
