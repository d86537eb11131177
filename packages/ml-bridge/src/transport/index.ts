/**
 * The frame layer of the bridge: frame types, the frame decoder, line readers and the transport
 * to one Python worker process. docs/bridge-protocol.md describes the protocol.
 */
export { encodeFrameHeader, FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
export {
  checkHello,
  checkWorkerFrame,
  DEFAULT_MAX_FRAME_BYTES,
  type HandlerInfo,
  type NodeFrame,
  PROTOCOL_VERSION,
  type WorkerErrorFrame,
  type WorkerFrame,
  type WorkerHello,
} from './frames.js';
export { DEFAULT_MAX_LINE_LENGTH, readLines } from './line-reader.js';
export { defaultPythonPath } from './python-path.js';
export {
  type WorkerExit,
  WorkerTransport,
  type WorkerTransportEvents,
  type WorkerTransportOptions,
} from './worker-transport.js';
