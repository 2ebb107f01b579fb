/** The request model: what nginx does with a request, traced through a whole config. */
export { RequestModel } from './model';
export {
  trace,
  traceLocation,
  type Trace,
  type TraceStep,
  type Outcome,
  type ProxySettings,
  type BackendRequest,
  type ClientResponse,
  type SentHeader,
  type TraceOptions,
  type Timeout,
  type Setting,
} from './trace';
export {
  requestFor,
  handshakeHeaders,
  headerValue,
  normalizeUri,
  HANDSHAKE_KEY,
  type HttpRequest,
  type Header,
  type RequestOptions,
} from './http';
export { Unknown, isUnknown, show, type Value } from './values';
export type { BackendAnswer } from './backend';
export type { ServerChoice, Listen } from './servers';
export type { LocationNode } from './locations';
