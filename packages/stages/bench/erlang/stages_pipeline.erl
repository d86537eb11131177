%% The three-stage pipeline benchmark in Erlang: a producer, a map stage (X * 2 + 1) and a sink
%% that drops multiples of 3 and sums the rest, one message per event. Each hop works like a
%% GenStage subscription: the downstream process grants 1000 events of credit and grants more,
%% back up to 1000, once half of it is used; the upstream process never sends beyond its credit.
%%
%% Usage: erl -run stages_pipeline main N WARMUP ROUNDS; prints one RESULT line with the median
%% events per second of the timed rounds.
-module(stages_pipeline).
-export([main/1]).

-define(CREDIT, 1000).

main([CountArg, WarmupArg, RoundsArg]) ->
    Count = list_to_integer(CountArg),
    Expected = expected_sum(0, Count, 0),
    [check(run(Count), Expected) || _ <- lists:seq(1, list_to_integer(WarmupArg))],
    Rates = [timed(Count, Expected) || _ <- lists:seq(1, list_to_integer(RoundsArg))],
    Median = lists:nth(length(Rates) div 2 + 1, lists:sort(Rates)),
    io:format("RESULT {\"per_second\": ~.1f}~n", [Median]).

timed(Count, Expected) ->
    Start = erlang:monotonic_time(nanosecond),
    check(run(Count), Expected),
    Count / ((erlang:monotonic_time(nanosecond) - Start) / 1.0e9).

check(Sum, Sum) -> ok;
check(Sum, Expected) -> erlang:error({wrong_sum, Sum, Expected}).

expected_sum(N, N, Sum) -> Sum;
expected_sum(X, N, Sum) ->
    Y = X * 2 + 1,
    expected_sum(X + 1, N, case Y rem 3 of 0 -> Sum; _ -> Sum + Y end).

%% Starts the three processes, links them up and waits for the sink's sum.
run(Count) ->
    Parent = self(),
    Sink = spawn_link(fun() -> sink_start(Parent, Count) end),
    Map = spawn_link(fun() -> map_start(Sink) end),
    Producer = spawn_link(fun() -> producer_start(Map, Count) end),
    Map ! {upstream, Producer},
    Sink ! {map, Map},
    receive {sum, Sum} -> Sum end.

%% ---- producer: emits integers while it holds credit ----

producer_start(Down, Count) ->
    receive {ask, Credit} -> produce(Down, 0, Count, Credit) end.

produce(_Down, Count, Count, _Credit) -> ok;
produce(Down, Next, Count, 0) ->
    receive {ask, Credit} -> produce(Down, Next, Count, Credit) end;
produce(Down, Next, Count, Credit) ->
    Down ! {event, Next},
    produce(Down, Next + 1, Count, Credit - 1).

%% ---- map: forwards X * 2 + 1 within the sink's credit, then grants credit upstream ----

map_start(Down) ->
    receive {upstream, Up} -> ok end,
    receive {ask, Credit} -> ok end,
    Up ! {ask, ?CREDIT},
    map_loop(Up, Down, Credit, ?CREDIT).

%% Credit: what the sink still allows. Owed: what the producer may still send.
map_loop(Up, Down, 0, Owed) ->
    receive {ask, Credit} -> map_loop(Up, Down, Credit, Owed) end;
map_loop(Up, Down, Credit, Owed) ->
    receive
        {event, X} ->
            Down ! {event, X * 2 + 1},
            map_loop(Up, Down, Credit - 1, regrant(Up, Owed - 1));
        {ask, More} ->
            map_loop(Up, Down, Credit + More, Owed)
    end.

regrant(Up, Owed) when Owed =< ?CREDIT div 2 ->
    Up ! {ask, ?CREDIT - Owed},
    ?CREDIT;
regrant(_Up, Owed) ->
    Owed.

%% ---- sink: drops multiples of 3, sums the rest, grants credit to the map stage ----

sink_start(Parent, Count) ->
    receive {map, Map} -> ok end,
    Map ! {ask, ?CREDIT},
    sink_loop(Parent, Map, Count, 0, ?CREDIT).

sink_loop(Parent, _Map, 0, Sum, _Owed) ->
    Parent ! {sum, Sum};
sink_loop(Parent, Map, Left, Sum, Owed) ->
    receive
        {event, X} ->
            NewSum = case X rem 3 of 0 -> Sum; _ -> Sum + X end,
            sink_loop(Parent, Map, Left - 1, NewSum, regrant(Map, Owed - 1))
    end.
