/**
 * @starweave/patterns: message matching clauses for actors, complex event processing over keyed
 * event streams, windowed aggregates and online anomaly detectors.
 */

export type { OverflowPolicy } from './cep/automaton.js';
export {
  type CompiledPattern,
  type CompiledStep,
  compilePattern,
  type NegativeStep,
} from './cep/compile.js';
export {
  CepEngine,
  type CepEngineOptions,
  DEFAULT_MAX_PARTIAL_MATCHES_PER_KEY,
} from './cep/engine.js';
export { type MatchAllOptions, type MatchAllResult, matchAll } from './cep/match-all.js';
export {
  type Bind,
  type NoBindings,
  Pattern,
  type StepCondition,
  type StepKind,
  type StepSpec,
} from './cep/pattern.js';
export { AfterMatchSkip } from './cep/skip.js';
export {
  type CepSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
} from './cep/snapshot.js';
export type {
  CepKey,
  CepLate,
  CepMatch,
  CepOutput,
  CepStats,
  CepTimeout,
  Condition,
  Contiguity,
  MatchContext,
  MatchEvents,
  SkipStrategy,
} from './cep/types.js';
export type { Anomaly, DetectorOptions } from './detectors/anomaly.js';
export { EwmaDetector, type EwmaDetectorOptions, type EwmaSnapshot } from './detectors/ewma.js';
export {
  RateOfChangeDetector,
  type RateOfChangeDetectorOptions,
  type RateOfChangeSnapshot,
} from './detectors/rate-of-change.js';
export {
  type ClauseList,
  type Clauses,
  type ClausesOptions,
  clauses,
  clausesFor,
  type NoMatch,
  P,
} from './match/clauses.js';
export { type ReceiveClauseList, receiveClauses } from './match/receive-clauses.js';
export {
  type CallClauseList,
  type CallHandler,
  type CastClauseList,
  type CastHandler,
  callClauses,
  castClauses,
  type InfoClauseList,
  type InfoHandler,
  infoClauses,
  type ServerClausesOptions,
} from './match/server-clauses.js';
export type { CepStageOptions, CepStageOutput, CepStageState } from './stage/cep-stage.js';
export * as CepStage from './stage/cep-stage.js';
export type { DetectorConfig, DetectorStats } from './stage/detector-set.js';
export type { DetectorStageOptions, DetectorStageState } from './stage/detector-stage.js';
export * as DetectorStage from './stage/detector-stage.js';
export type {
  EngineStageState,
  PatternStageChildOptions,
  PatternStageOptions,
} from './stage/engine-stage.js';
export type { LateOutput } from './stage/late-output.js';
export type { StageEngine } from './stage/stage-engine.js';
export { isWatermark, Watermark } from './stage/watermark.js';
export type {
  WindowStageOptions,
  WindowStageOutput,
  WindowStageState,
} from './stage/window-stage.js';
export * as WindowStage from './stage/window-stage.js';
export { MAX_BUCKETS, QuantileSketch, type SketchData } from './windows/sketch.js';
export {
  WindowAggregator,
  type WindowAggregatorOptions,
  type WindowData,
  type WindowLate,
  type WindowOutput,
  type WindowResult,
  type WindowSnapshot,
  type WindowSpec,
  type WindowStats,
} from './windows/window-aggregator.js';
