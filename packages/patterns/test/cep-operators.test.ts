/**
 * Hand-written cases for each pattern operator, restating FlinkCEP's documented examples with
 * our own events: contiguity, quantifiers, loops, negative steps, windows and skip strategies.
 */

import { AfterMatchSkip, type CepMatch, matchAll, Pattern } from '@starweave/patterns';
import { describe, expect, it } from 'vitest';

type Ev = { id: string; t: number; price?: number };

/** Events named by the words of `text`, one millisecond apart. */
function stream(text: string): Ev[] {
  return text.split(' ').map((id, index) => ({ id, t: index }));
}

const is = (prefix: string) => (e: Ev) => e.id.startsWith(prefix);

/** Renders a match as the ids of its events in step order, like FlinkCEP's documentation. */
function render(match: CepMatch<any>): string {
  return Object.values(match.events as Record<string, Ev[]>)
    .flat()
    .map((e) => e.id)
    .join(' ');
}

function run(pattern: Pattern<Ev, any>, text: string): string[] {
  return matchAll(pattern, stream(text), { timestamp: (e) => e.t }).matches.map(render);
}

const sorted = (items: string[]) => [...items].sort();

describe('Pattern contiguity', () => {
  const input = 'a c b1 b2';

  it('next finds nothing when another event separates a and b', () => {
    expect(run(Pattern.begin('a', is('a')).next('b', is('b')), input)).toEqual([]);
  });

  it('followedBy takes the first b after a', () => {
    expect(run(Pattern.begin('a', is('a')).followedBy('b', is('b')), input)).toEqual(['a b1']);
  });

  it('followedByAny takes every b after a', () => {
    expect(sorted(run(Pattern.begin('a', is('a')).followedByAny('b', is('b')), input))).toEqual([
      'a b1',
      'a b2',
    ]);
  });
});

describe('Pattern looping contiguity (a b+ c)', () => {
  const input = 'a1 b1 d b2 c';
  const base = (into: 'followedBy' | 'followedByAny') =>
    Pattern.begin('a', is('a'))[into]('b', is('b')).oneOrMore();

  it('relaxed loop skips d between the b events', () => {
    const pattern = base('followedBy').followedBy('c', is('c'));
    expect(sorted(run(pattern, input))).toEqual(['a1 b1 b2 c', 'a1 b1 c']);
  });

  it('followedByAny into the loop also starts it at b2', () => {
    const pattern = base('followedByAny').followedBy('c', is('c'));
    expect(sorted(run(pattern, input))).toEqual(['a1 b1 b2 c', 'a1 b1 c', 'a1 b2 c']);
  });

  it('consecutive loop is broken by d', () => {
    const pattern = base('followedBy').consecutive().followedBy('c', is('c'));
    expect(run(pattern, input)).toEqual(['a1 b1 c']);
  });

  it('allowCombinations with followedByAny gives every subset of b events', () => {
    const pattern = base('followedByAny').allowCombinations().followedBy('c', is('c'));
    expect(sorted(run(pattern, input))).toEqual(['a1 b1 b2 c', 'a1 b1 c', 'a1 b2 c']);
  });

  it('relaxed loop entered by followedByAny matches the documented six results', () => {
    const pattern = base('followedByAny').followedBy('c', is('c'));
    expect(sorted(run(pattern, 'a b1 d1 b2 d2 b3 c'))).toEqual(
      sorted(['a b1 c', 'a b1 b2 c', 'a b1 b2 b3 c', 'a b2 c', 'a b2 b3 c', 'a b3 c']),
    );
  });
});

describe('Pattern.consecutive and allowCombinations (C D A1 A2 A3 D A4 B)', () => {
  const input = 'C D A1 A2 A3 D A4 B';
  const start = (into: 'followedBy' | 'followedByAny') =>
    Pattern.begin('start', is('C'))[into]('middle', is('A')).oneOrMore();

  it('consecutive stops the loop at the second D', () => {
    const pattern = start('followedBy').consecutive().followedBy('end', is('B'));
    expect(sorted(run(pattern, input))).toEqual(sorted(['C A1 B', 'C A1 A2 B', 'C A1 A2 A3 B']));
  });

  it('relaxed loop continues past the second D', () => {
    const pattern = start('followedBy').followedBy('end', is('B'));
    expect(sorted(run(pattern, input))).toEqual(
      sorted(['C A1 B', 'C A1 A2 B', 'C A1 A2 A3 B', 'C A1 A2 A3 A4 B']),
    );
  });

  it('allowCombinations after followedByAny gives all fifteen combinations', () => {
    const pattern = start('followedByAny').allowCombinations().followedBy('end', is('B'));
    const expected = [
      'C A1 B',
      'C A1 A2 B',
      'C A1 A3 B',
      'C A1 A4 B',
      'C A1 A2 A3 B',
      'C A1 A2 A4 B',
      'C A1 A3 A4 B',
      'C A1 A2 A3 A4 B',
      'C A2 B',
      'C A2 A3 B',
      'C A2 A4 B',
      'C A2 A3 A4 B',
      'C A3 B',
      'C A3 A4 B',
      'C A4 B',
    ];
    expect(sorted(run(pattern, input))).toEqual(sorted(expected));
  });
});

describe('Pattern quantifiers', () => {
  it('times(2) takes exactly two events', () => {
    expect(sorted(run(Pattern.begin('a', is('a')).times(2), 'a1 a2 a3'))).toEqual([
      'a1 a2',
      'a2 a3',
    ]);
  });

  it('times(2, 3) takes two or three events', () => {
    const pattern = Pattern.begin('a', is('a')).times(2, 3).consecutive();
    expect(sorted(run(pattern, 'a1 a2 a3'))).toEqual(['a1 a2', 'a1 a2 a3', 'a2 a3']);
  });

  it('timesOrMore(2) needs two events before it matches', () => {
    const pattern = Pattern.begin('x', is('x')).next('a', is('a')).timesOrMore(2).consecutive();
    expect(run(pattern, 'x a1 a2 a3')).toEqual(['x a1 a2', 'x a1 a2 a3']);
  });

  it('optional step may be skipped or taken', () => {
    const pattern = Pattern.begin('a', is('a'))
      .followedBy('b', is('b'))
      .optional()
      .followedBy('c', is('c'));
    expect(sorted(run(pattern, 'a b c'))).toEqual(['a b c', 'a c']);
    expect(run(pattern, 'a c')).toEqual(['a c']);
  });

  it('until closes the loop: a+ until b on a1 c a2 b a3', () => {
    const pattern = Pattern.begin('a', is('a')).oneOrMore().until(is('b'));
    expect(sorted(run(pattern, 'a1 c a2 b a3'))).toEqual(sorted(['a1', 'a1 a2', 'a2', 'a3']));
  });

  it('greedy loop does not leave on an event it can take', () => {
    const build = (greedy: boolean) => {
      let pattern = Pattern.begin('first', (e: Ev) => /^[abc]/.test(e.id))
        .next('second', (e) => /^[bc]/.test(e.id))
        .next('third', is('c'))
        .oneOrMore();
      if (greedy) pattern = pattern.greedy();
      return pattern.followedBy('last', is('d'));
    };
    const input = 'a b c1 c2 c3 d';
    expect(sorted(run(build(true), input))).toEqual(
      sorted(['a b c1 c2 c3 d', 'b c1 c2 c3 d', 'c1 c2 c3 d']),
    );
    expect(run(build(false), input).length).toBeGreaterThan(3);
  });
});

describe('Pattern conditions', () => {
  it('iterative condition reads earlier events of the same partial match', () => {
    const pattern = Pattern.begin('start', is('start'))
      .followedByAny('middle', (e: Ev, context) => {
        if (!e.id.startsWith('foo')) return false;
        const sum = context.events('middle').reduce((total, m) => total + m.price!, e.price!);
        return sum < 5;
      })
      .oneOrMore()
      .followedBy('end', is('end'));
    const input: Ev[] = [
      { id: 'start', t: 0 },
      { id: 'foo1', t: 1, price: 2 },
      { id: 'foo2', t: 2, price: 2 },
      { id: 'foo3', t: 3, price: 2 },
      { id: 'end', t: 4 },
    ];
    const found = matchAll(pattern, input, { timestamp: (e) => e.t }).matches.map(render);
    expect(found).not.toContain('start foo1 foo2 foo3 end');
    expect(found).toContain('start foo1 foo2 end');
  });

  it('where and or combine conditions', () => {
    const pattern = Pattern.begin('x', is('a'))
      .or(is('b'))
      .where((e: Ev) => e.id.endsWith('1'));
    expect(run(pattern, 'a1 b1 a2 c1')).toEqual(['a1', 'b1']);
  });
});

describe('Pattern negative steps', () => {
  it('notNext discards a partial match whose next event is forbidden', () => {
    const pattern = Pattern.begin('a', is('a')).notNext('no-b', is('b')).followedBy('c', is('c'));
    expect(run(pattern, 'a b c')).toEqual([]);
    expect(run(pattern, 'a x c')).toEqual(['a c']);
  });

  it('notNext at the end completes with the next event', () => {
    const pattern = Pattern.begin('a', is('a')).notNext('no-b', is('b'));
    const { matches } = matchAll(pattern, stream('a x'), { timestamp: (e) => e.t });
    expect(matches.map(render)).toEqual(['a']);
    expect(matches[0]!.completedAt).toBe(1);
    expect(run(pattern, 'a b')).toEqual([]);
    expect(run(pattern, 'x a')).toEqual([]);
  });

  it('notFollowedBy forbids the event anywhere before the next step', () => {
    const pattern = Pattern.begin('a', is('a'))
      .notFollowedBy('no-b', is('b'))
      .followedBy('c', is('c'));
    expect(run(pattern, 'a d b c')).toEqual([]);
    expect(run(pattern, 'a d c')).toEqual(['a c']);
  });

  it('notFollowedBy after a loop forbids the event between the loop events', () => {
    const pattern = Pattern.begin('a', is('a'))
      .oneOrMore()
      .notFollowedBy('no-b', is('b'))
      .followedBy('c', is('c'));
    expect(run(pattern, 'a1 b a2 c')).toEqual(['a2 c']);
  });

  it('notFollowedBy at the end completes when the window closes', () => {
    const pattern = Pattern.begin('a', is('a')).notFollowedBy('no-b', is('b')).within(10);
    const quiet = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'x', t: 12 },
      ],
      { timestamp: (e) => e.t },
    );
    expect(quiet.matches.map(render)).toEqual(['a']);
    expect(quiet.matches[0]!.completedAt).toBe(10);
    const broken = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'b', t: 5 },
      ],
      { timestamp: (e) => e.t },
    );
    expect(broken.matches).toEqual([]);
  });

  it('detects three delays within an hour, then no on-time flight for 30 minutes', () => {
    type Flight = { flight: string; airport: string; at: number; delay: number };
    const minute = 60_000;
    const delayed = (f: Flight) => f.delay > 15;
    const pattern = Pattern.begin('delays', delayed)
      .times(3)
      .within(60 * minute, 'step')
      .notFollowedBy('onTime', (f: Flight) => f.delay <= 15)
      .within(30 * minute, 'step');
    const flight = (at: number, delay: number): Flight => ({
      flight: `F${at}`,
      airport: 'ORD',
      at: at * minute,
      delay,
    });

    const recovered = [flight(0, 40), flight(20, 35), flight(50, 60), flight(70, 0)];
    const stuck = [flight(0, 40), flight(20, 35), flight(50, 60), flight(90, 5)];
    const tooSlow = [flight(0, 40), flight(40, 35), flight(70, 60), flight(200, 5)];
    const options = { key: (f: Flight) => f.airport, timestamp: (f: Flight) => f.at };

    expect(matchAll(pattern, recovered, options).matches).toEqual([]);
    const alert = matchAll(pattern, stuck, options).matches;
    expect(alert.map((m) => m.events.delays.map((f) => f.flight))).toEqual([['F0', 'F20', 'F50']]);
    expect(alert[0]!.completedAt).toBe(80 * minute);
    expect(matchAll(pattern, tooSlow, options).matches).toEqual([]);
  });
});

describe('Pattern windows and timeouts', () => {
  it('within drops a partial match and reports it as timed out', () => {
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).within(10);
    const result = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'c', t: 3 },
        { id: 'b', t: 10 },
      ],
      {
        timestamp: (e) => e.t,
      },
    );
    expect(result.matches).toEqual([]);
    expect(result.timeouts.map((timeout) => timeout.events.a.map((e) => e.id))).toEqual([['a']]);
    expect(result.timeouts[0]!.timedOutAt).toBe(10);
    expect(result.stats.expired).toBe(1);
  });

  it('matches when the last event is just inside the window', () => {
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).within(10);
    const result = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'b', t: 9 },
      ],
      { timestamp: (e) => e.t },
    );
    expect(result.matches.map(render)).toEqual(['a b']);
  });

  it('strict partial match broken by contiguity is not reported as timed out', () => {
    const pattern = Pattern.begin('a', is('a')).next('b', is('b')).within(10);
    const result = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'c', t: 3 },
      ],
      { timestamp: (e) => e.t },
    );
    expect(result.timeouts).toEqual([]);
  });

  it('a complete match still waiting for more events is not reported as timed out', () => {
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).oneOrMore().within(10);
    const result = matchAll(
      pattern,
      [
        { id: 'a', t: 0 },
        { id: 'b', t: 1 },
      ],
      { timestamp: (e) => e.t },
    );
    expect(result.matches.map(render)).toEqual(['a b']);
    expect(result.timeouts).toEqual([]);
  });

  it('step window bounds the time since the previous step', () => {
    const pattern = Pattern.begin('a', is('a'))
      .followedBy('b', is('b'))
      .followedBy('c', is('c'))
      .within(5, 'step');
    const fast = [
      { id: 'a', t: 0 },
      { id: 'b', t: 50 },
      { id: 'c', t: 54 },
    ];
    const slow = [
      { id: 'a', t: 0 },
      { id: 'b', t: 50 },
      { id: 'c', t: 55 },
    ];
    expect(matchAll(pattern, fast, { timestamp: (e) => e.t }).matches.map(render)).toEqual([
      'a b c',
    ]);
    expect(matchAll(pattern, slow, { timestamp: (e) => e.t }).matches).toEqual([]);
  });
});

describe('Pattern timeouts', () => {
  const timeouts = (pattern: Pattern<Ev, any>, input: Ev[]) =>
    matchAll(pattern, input, { timestamp: (e) => e.t }).timeouts.map(
      (timeout) => `${render(timeout as unknown as CepMatch<any>)}@${timeout.timedOutAt}`,
    );

  it('reports the latest window of a partial match with several open moves', () => {
    const pattern = Pattern.begin('a', is('a'))
      .followedBy('b', is('b'))
      .optional()
      .within(5, 'step')
      .followedBy('c', is('c'))
      .within(10, 'step');
    expect(timeouts(pattern, [{ id: 'a', t: 0 }])).toEqual(['a@10']);
  });

  it('reports a loop below its minimum count', () => {
    const pattern = Pattern.begin('a', is('a')).times(3).within(10);
    const input = [
      { id: 'a0', t: 0 },
      { id: 'a2', t: 2 },
    ];
    expect(timeouts(pattern, input)).toEqual(['a0 a2@10', 'a2@12']);
  });

  it('reports no partial match that a skip strategy discarded', () => {
    const pattern = Pattern.begin('a', is('a'))
      .followedBy('b', is('b'))
      .followedBy('c', is('c'))
      .within(10);
    const input = [
      { id: 'a0', t: 0 },
      { id: 'b1', t: 1 },
      { id: 'a2', t: 2 },
      { id: 'c3', t: 3 },
    ];
    expect(timeouts(pattern, input)).toEqual(['a2@12']);
    expect(timeouts(pattern.skip(AfterMatchSkip.skipPastLastEvent()), input)).toEqual([]);
  });

  it('reports nothing for a pattern without a window', () => {
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b'));
    const result = matchAll(pattern, [{ id: 'a', t: 0 }], { timestamp: (e) => e.t });
    expect(result.timeouts).toEqual([]);
    expect(result.stats.expired).toBe(0);
  });
});

describe('Pattern skip strategies (b+ c on b1 b2 b3 c)', () => {
  const loop = Pattern.begin('b', is('b')).oneOrMore().next('c', is('c'));
  const cases: [string, ReturnType<typeof AfterMatchSkip.noSkip>, string[]][] = [
    ['noSkip', AfterMatchSkip.noSkip(), ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipToNext', AfterMatchSkip.skipToNext(), ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipPastLastEvent', AfterMatchSkip.skipPastLastEvent(), ['b1 b2 b3 c']],
    ['skipToFirst(b)', AfterMatchSkip.skipToFirst('b'), ['b1 b2 b3 c', 'b2 b3 c', 'b3 c']],
    ['skipToLast(b)', AfterMatchSkip.skipToLast('b'), ['b1 b2 b3 c', 'b3 c']],
  ];
  for (const [name, strategy, expected] of cases) {
    it(`${name} emits ${expected.length} matches`, () => {
      expect(sorted(run(loop.skip(strategy), 'b1 b2 b3 c'))).toEqual(sorted(expected));
    });
  }

  it('skipToNext keeps only the first match of a b+ on a b1 b2 b3', () => {
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).oneOrMore();
    expect(run(pattern, 'a b1 b2 b3')).toEqual(['a b1', 'a b1 b2', 'a b1 b2 b3']);
    expect(run(pattern.skip(AfterMatchSkip.skipToNext()), 'a b1 b2 b3')).toEqual(['a b1']);
  });

  it('skipToFirst(third) discards the match that started between', () => {
    const pattern = Pattern.begin('first', (e: Ev) => /^[abc]/.test(e.id))
      .next('second', (e) => /^[bc]/.test(e.id))
      .next('third', is('c'))
      .oneOrMore()
      .greedy()
      .followedBy('last', is('d'))
      .skip(AfterMatchSkip.skipToFirst('third'));
    expect(run(pattern, 'a b c1 c2 c3 d')).toEqual(['a b c1 c2 c3 d', 'c1 c2 c3 d']);
  });
});

describe('Pattern validation', () => {
  const fails = (build: () => unknown) => {
    try {
      build();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };

  it('rejects a duplicate step name', () => {
    expect(fails(() => Pattern.begin('a', is('a')).next('a', is('a')))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('rejects notFollowedBy at the end without a window', () => {
    expect(fails(() => matchAll(Pattern.begin('a', is('a')).notFollowedBy('b', is('b')), []))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('rejects a negative step after an optional one', () => {
    const pattern = Pattern.begin('a', is('a'))
      .followedBy('b', is('b'))
      .optional()
      .notNext('c', is('c'))
      .next('d', is('d'));
    expect(fails(() => matchAll(pattern, []))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects greedy on a step that can end a match', () => {
    expect(fails(() => matchAll(Pattern.begin('a', is('a')).oneOrMore().greedy(), []))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('rejects consecutive on a step that does not loop', () => {
    expect(fails(() => Pattern.begin('a', is('a')).consecutive())).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects skipToLast naming an unknown step', () => {
    const pattern = Pattern.begin('a', is('a')).skip(AfterMatchSkip.skipToLast('zzz'));
    expect(fails(() => matchAll(pattern, []))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects a pattern whose steps are all optional', () => {
    expect(fails(() => matchAll(Pattern.begin('a', is('a')).optional(), []))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});

describe('Pattern types', () => {
  it('narrows the events of a step with a type guard (checked by the compiler)', () => {
    type Sale = { kind: 'sale'; t: number; amount: number };
    type Refund = { kind: 'refund'; t: number; reason: string };
    type Shop = Sale | Refund;
    const pattern = Pattern.begin('sale', (e: Shop): e is Sale => e.kind === 'sale').followedBy(
      'refund',
      (e): e is Refund => e.kind === 'refund',
    );
    const input: Shop[] = [
      { kind: 'sale', t: 0, amount: 10 },
      { kind: 'refund', t: 1, reason: 'broken' },
    ];
    const [match] = matchAll(pattern, input, { timestamp: (e) => e.t }).matches;
    const amount: number = match!.events.sale[0]!.amount;
    const reason: string = match!.events.refund[0]!.reason;
    // @ts-expect-error: a refund has no amount
    match!.events.refund[0]!.amount;
    expect([amount, reason]).toEqual([10, 'broken']);
  });
});
