/**
 * The frame layer of the bridge: frame types, the frame decoder, line readers, frame channels
 * (pipes and ZeroMQ) and the transport to one Python worker. docs/bridge-protocol.md describes
 * the protocol.
 */
export { type ChannelListener, type FrameChannel, PipeChannel } from './channel.js';
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
export {
  describeInterpreterProblem,
  type InterpreterReport,
  MIN_PYTHON_VERSION,
  probeInterpreter,
  REQUIRED_MODULES,
} from './interpreter-check.js';
export { DEFAULT_MAX_LINE_LENGTH, readLines } from './line-reader.js';
export { defaultPython, defaultPythonPath, SYSTEM_PYTHON } from './python-path.js';
export {
  type WorkerExit,
  WorkerTransport,
  type WorkerTransportEvents,
  type WorkerTransportOptions,
  type ZmqTransportOptions,
} from './worker-transport.js';
export { ZmqChannel } from './zmq-channel.js';
export { type RememberedSession, type RouteListener, ZmqRoute, ZmqRouter } from './zmq-router.js';
