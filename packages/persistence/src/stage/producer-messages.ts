/**
 * The messages of an events-by-tag producer: its own poll timer, and the acknowledgements and
 * queries of its consumers.
 */

/** Producer to itself: read the journal again for demand not yet met. */
export class PollJournal {
  readonly type = 'persistence.poll_journal';
  /** 0 for a read without delay, otherwise the generation of the timer that sent it. */
  constructor(readonly generation: number) {}
}

/** Consumer to producer: the events up to `offset` are done, so commit it. */
export class AckOffset {
  readonly type = 'persistence.ack_offset';
  constructor(readonly offset: number) {}
}

/** Caller to producer: reply with the offsets the producer has emitted and committed. */
export class OffsetsQuery {
  readonly type = 'persistence.offsets_query';
}
