%% Erlang peer of the actor benchmarks: spawn, tell, fan-in and ring. Run as
%% `erl -noshell -run actors_bench main BENCH ARG...`; each run prints one line
%% `RESULT {json}` that benchmarks/lib/erlang.mjs parses.
-module(actors_bench).
-export([main/1]).

main([Bench | Args]) ->
    Numbers = [list_to_integer(A) || A <- Args],
    Fields = run(list_to_atom(Bench), Numbers),
    io:format("RESULT ~s~n", [json(Fields)]).

%% Spawns N idle processes blocked in receive and keeps their pids in a list. Time covers the
%% spawn loop; memory is the growth of erlang:memory(total), list cells included.
run(spawn, [N]) ->
    erlang:garbage_collect(),
    MemoryBefore = erlang:memory(total),
    Start = now_ns(),
    Pids = spawn_idle(N, []),
    Elapsed = now_ns() - Start,
    MemoryAfter = erlang:memory(total),
    N = length(Pids),
    [{ns_per_process, Elapsed / N}, {bytes_per_process, (MemoryAfter - MemoryBefore) / N}];

%% One sender process sends N messages to one counting process; the clock stops when the
%% counter has seen all N.
run(tell, [N]) ->
    Counter = spawn_counter(N),
    Start = now_ns(),
    spawn(fun() -> send_n(Counter, N) end),
    wait_done(),
    [{per_second, N * 1.0e9 / (now_ns() - Start)}];

%% S sender processes, spawned before the clock starts, each send M messages to one counter
%% when told `go`.
run(fanin, [S, M]) ->
    Counter = spawn_counter(S * M),
    Senders = [spawn(fun() -> receive go -> send_n(Counter, M) end end) || _ <- lists:seq(1, S)],
    Start = now_ns(),
    [Sender ! go || Sender <- Senders],
    wait_done(),
    [{per_second, S * M * 1.0e9 / (now_ns() - Start)}];

%% N processes in a ring pass one token that carries the hops left; building the ring is not
%% timed.
run(ring, [N, Hops]) ->
    Parent = self(),
    Pids = [spawn(fun() -> ring_start(Parent) end) || _ <- lists:seq(1, N)],
    Nexts = tl(Pids) ++ [hd(Pids)],
    [Pid ! {next, Next} || {Pid, Next} <- lists:zip(Pids, Nexts)],
    Start = now_ns(),
    hd(Pids) ! {token, Hops},
    wait_done(),
    [{per_second, Hops * 1.0e9 / (now_ns() - Start)}].

spawn_idle(0, Pids) -> Pids;
spawn_idle(N, Pids) -> spawn_idle(N - 1, [spawn(fun idle/0) | Pids]).

idle() ->
    receive stop -> ok end.

spawn_counter(N) ->
    Parent = self(),
    spawn(fun() -> count(N, Parent) end).

count(0, Parent) -> Parent ! done;
count(Left, Parent) ->
    receive inc -> count(Left - 1, Parent) end.

send_n(_, 0) -> ok;
send_n(To, Left) ->
    To ! inc,
    send_n(To, Left - 1).

wait_done() ->
    receive done -> ok end.

ring_start(Parent) ->
    receive {next, Next} -> ring_loop(Next, Parent) end.

ring_loop(Next, Parent) ->
    receive
        {token, 0} ->
            Parent ! done,
            ring_loop(Next, Parent);
        {token, Left} ->
            Next ! {token, Left - 1},
            ring_loop(Next, Parent)
    end.

now_ns() -> erlang:monotonic_time(nanosecond).

json(Fields) ->
    Pairs = [io_lib:format("\"~s\":~s", [Key, number(Value)]) || {Key, Value} <- Fields],
    ["{", lists:join(",", Pairs), "}"].

number(Value) when is_integer(Value) -> integer_to_list(Value);
number(Value) -> float_to_list(Value, [{decimals, 3}, compact]).
