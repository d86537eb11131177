%% Erlang peer of the GenServer benchmarks: gen_server:call round trips and latency, and
%% gen_server:cast throughput, from one client process. Run as
%% `erl -noshell -run genserver_bench main BENCH ARG...`; each run prints one line
%% `RESULT {json}` that benchmarks/lib/erlang.mjs parses.
-module(genserver_bench).
-behaviour(gen_server).
-export([main/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

main([Bench | Args]) ->
    Numbers = [list_to_integer(A) || A <- Args],
    Fields = run(list_to_atom(Bench), Numbers),
    io:format("RESULT ~s~n", [json(Fields)]).

%% A client process makes Warmup calls, then N sequential calls timed as one block, then
%% Timed calls each timed on its own for the latency percentiles.
run(call, [Warmup, N, Timed]) ->
    {ok, Server} = gen_server:start(?MODULE, 0, []),
    in_client(fun() ->
        calls(Server, Warmup),
        Start = now_ns(),
        calls(Server, N),
        Elapsed = now_ns() - Start,
        Sorted = lists:sort(timed_calls(Server, Timed, [])),
        [{per_second, N * 1.0e9 / Elapsed},
         {p50_us, percentile(Sorted, Timed, 0.50) / 1000},
         {p99_us, percentile(Sorted, Timed, 0.99) / 1000}]
    end);

%% A client process casts N times, then makes one call; the server handles messages in order,
%% so the call returns once every cast has been handled.
run(cast, [Warmup, N]) ->
    {ok, Server} = gen_server:start(?MODULE, 0, []),
    in_client(fun() ->
        casts(Server, Warmup),
        Warm = gen_server:call(Server, get),
        Start = now_ns(),
        casts(Server, N),
        Count = gen_server:call(Server, get),
        Elapsed = now_ns() - Start,
        N = Count - Warm,
        [{per_second, N * 1.0e9 / Elapsed}]
    end).

%% Runs Fun in a fresh process, as a client separate from the shell's process, and returns
%% its result.
in_client(Fun) ->
    Parent = self(),
    spawn(fun() -> Parent ! {client_result, Fun()} end),
    receive {client_result, Fields} -> Fields end.

calls(_, 0) -> ok;
calls(Server, Left) ->
    _ = gen_server:call(Server, get),
    calls(Server, Left - 1).

timed_calls(_, 0, Times) -> Times;
timed_calls(Server, Left, Times) ->
    Start = now_ns(),
    _ = gen_server:call(Server, get),
    timed_calls(Server, Left - 1, [now_ns() - Start | Times]).

casts(_, 0) -> ok;
casts(Server, Left) ->
    gen_server:cast(Server, add),
    casts(Server, Left - 1).

%% Nearest-rank percentile of a sorted list of Count values.
percentile(Sorted, Count, Fraction) ->
    Rank = max(1, ceil(Fraction * Count)),
    lists:nth(Rank, Sorted).

init(Count) -> {ok, Count}.

handle_call(get, _From, Count) -> {reply, Count, Count}.

handle_cast(add, Count) -> {noreply, Count + 1}.

handle_info(_Message, Count) -> {noreply, Count}.

now_ns() -> erlang:monotonic_time(nanosecond).

json(Fields) ->
    Pairs = [io_lib:format("\"~s\":~s", [Key, number(Value)]) || {Key, Value} <- Fields],
    ["{", lists:join(",", Pairs), "}"].

number(Value) when is_integer(Value) -> integer_to_list(Value);
number(Value) -> float_to_list(Value, [{decimals, 3}, compact]).
