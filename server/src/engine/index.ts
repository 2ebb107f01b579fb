/**
 * The engine's facade: the one module the shells (the language server, the
 * CLI, the endpoint tester, the local proof, the workspace layer in node/
 * and the VS Code client) import from the engine. Nothing outside
 * server/src/engine/ imports a file behind it (test/unit/architecture.test.ts
 * holds that), so the engine's folders can be rearranged without touching a
 * shell. Pure: no I/O except through the `FileHost` it is given, no LSP
 * imports.
 */

// Syntax: the tolerant parser, the tree it makes, and its in-place update.
export { parse } from './syntax/parser';
export { updateText } from './syntax/incremental';
export * from './syntax/ast';
export * from './types';

// Analysis: a config's files, findings and WebSocket locations.
export { analyze, lintText, settle, singleFileHost, type Analysis, type WsLocation } from './analyze';
export { buildModel, enclosing, own, type ConfigModel, type ParseCache, type Scope } from './model/config';
export { collectDefinitions } from './model/variables';
export { locationPath } from './model/websocket';
export { globMatches, globSegments, hasMagic, segmentMatcher, unescapeSegment, type SegmentMatcher } from './model/glob';
export { compileNginxRegex } from './model/regex';

// Rules and fixes.
export { RULES, ruleById, type Rule, type RuleMeta } from './rules/index';
export { SUPPRESSION_CODE } from './suppressions';
export { combineFixes, type CombinedFixes } from './fixes/combine';
export { BROKEN_FILE_NOTE } from './fixes/guard';

// Endpoints: the URL of a WebSocket location, and the list of them.
export {
  deriveEndpoint,
  locationContext,
  parseListenAddress,
  type BackendTarget,
  type DeriveOptions,
  type DerivedEndpoint,
  type DirectiveRef,
  type LocationContext,
} from './endpoints';
export {
  findingsWithin,
  locationLabel,
  listEndpoints,
  type EndpointListItem,
  type EndpointServer,
  type ListOptions,
} from './endpoint-list';

// Editor features (hover, completion, navigation, formatting, traces...): pure functions over an analysis.
export * from './features/index';
export { formatTrace, outcomeLine, type TraceAt, type TraceReport } from './request/report';

// nginx knowledge: directive names, contexts and the versions that have them.
export { isKnownDirectiveName } from './knowledge/names';
export { lookupDirective, notInVersion } from './knowledge/directives';
