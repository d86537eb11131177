/**
 * @starweave/patterns: message matching clauses for actors, complex event processing over keyed
 * event streams, windowed aggregates and online anomaly detectors.
 */
export { AfterMatchSkip } from './cep/skip.js';
export { CepEngine, type CepEngineOptions, DEFAULT_MAX_PARTIAL_MATCHES_PER_KEY } from './cep/engine.js';
export type { OverflowPolicy } from './cep/automaton.js';
export { matchAll, type MatchAllOptions, type MatchAllResult } from './cep/match-all.js';
export { Pattern, type Bind, type StepCondition, type StepKind, type StepSpec } from './cep/pattern.js';
export { compilePattern, type CompiledPattern, type CompiledStep, type NegativeStep } from './cep/compile.js';
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
export {
  type ClauseList,
  type Clauses,
  type ClausesOptions,
  type NoMatch,
  P,
  clauses,
  clausesFor,
} from './match/clauses.js';
export { QuantileSketch, type SketchData } from './windows/sketch.js';
export {
  type WindowAggregatorOptions,
  type WindowData,
  type WindowLate,
  type WindowOutput,
  type WindowResult,
  type WindowSnapshot,
  type WindowSpec,
  type WindowStats,
  WindowAggregator,
} from './windows/window-aggregator.js';
export type { Anomaly, DetectorOptions } from './detectors/anomaly.js';
export { EwmaDetector, type EwmaDetectorOptions, type EwmaSnapshot } from './detectors/ewma.js';
export {
  RateOfChangeDetector,
  type RateOfChangeDetectorOptions,
  type RateOfChangeSnapshot,
} from './detectors/rate-of-change.js';
