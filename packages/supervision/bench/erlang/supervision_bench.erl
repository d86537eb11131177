%% Erlang peer of the supervision benchmarks: restart latency under a one_for_one supervisor
%% of N gen_server workers, and start/terminate churn under a simple_one_for_one supervisor
%% (Erlang's counterpart of a DynamicSupervisor). Run as
%% `erl -noshell -run supervision_bench main BENCH ARG...`; each run prints one line
%% `RESULT {json}` that benchmarks/lib/erlang.mjs parses. The module is its own supervisor
%% and worker callback module, told apart by the init argument.
-module(supervision_bench).
-export([main/1, init/1, handle_call/3, handle_cast/2, start_worker/2, start_dynamic_worker/0]).

main([Bench | Args]) ->
    % Supervisor reports go nowhere, as the Starweave side runs with a silent logger.
    logger:set_primary_config(level, none),
    Numbers = [list_to_integer(A) || A <- Args],
    Fields = run(list_to_atom(Bench), Numbers),
    io:format("RESULT ~s~n", [json(Fields)]).

%% N workers; Samples times a random worker is killed, and the clock runs from the kill until
%% the restarted worker has answered a call. Workers report their pid from init.
run(restart, [N, Samples, Seed]) ->
    Self = self(),
    Specs = [#{id => I, start => {?MODULE, start_worker, [I, Self]}} || I <- lists:seq(1, N)],
    {ok, _Sup} = supervisor:start_link(?MODULE, {supervisor, one_for_one, Specs}),
    Pids = collect(N, #{}),
    rand:seed(exsss, {Seed, Seed, Seed}),
    % Warm-up kills, not timed, as on the Starweave side.
    {_, Warmed} = sample(max(1000, (Samples + 9) div 10), N, Pids, []),
    {Unsorted, _} = sample(Samples, N, Warmed, []),
    Latencies = lists:sort(Unsorted),
    Mean = lists:sum(Latencies) / Samples,
    P50 = lists:nth(max(1, ceil(Samples * 0.5)), Latencies),
    P99 = lists:nth(max(1, ceil(Samples * 0.99)), Latencies),
    [{mean_us, Mean}, {p50_us, P50}, {p99_us, P99}];

%% One process starts and terminates N temporary workers in turn.
run(churn, [N]) ->
    Spec = #{id => worker, start => {?MODULE, start_dynamic_worker, []}, restart => temporary},
    {ok, Sup} = supervisor:start_link(?MODULE, {supervisor, simple_one_for_one, [Spec]}),
    churn(Sup, max(2000, (N + 9) div 10)),
    Start = now_ns(),
    churn(Sup, N),
    [{per_second, N * 1.0e9 / (now_ns() - Start)}].

churn(_, 0) -> ok;
churn(Sup, Left) ->
    {ok, Pid} = supervisor:start_child(Sup, []),
    ok = supervisor:terminate_child(Sup, Pid),
    churn(Sup, Left - 1).

collect(0, Pids) -> Pids;
collect(Left, Pids) ->
    receive {started, I, Pid} -> collect(Left - 1, Pids#{I => Pid}) end.

%% Returns the latencies in µs and the workers' pids after the kills.
sample(0, _, Pids, Latencies) -> {Latencies, Pids};
sample(Left, N, Pids, Latencies) ->
    I = rand:uniform(N),
    Start = now_ns(),
    exit(maps:get(I, Pids), kill),
    receive {started, I, Pid} -> pong = gen_server:call(Pid, ping) end,
    Latency = (now_ns() - Start) / 1000,
    sample(Left - 1, N, Pids#{I => Pid}, [Latency | Latencies]).

start_worker(I, Collector) -> gen_server:start_link(?MODULE, {worker, I, Collector}, []).
start_dynamic_worker() -> gen_server:start_link(?MODULE, {worker, none, none}, []).

init({supervisor, Strategy, Specs}) ->
    {ok, {#{strategy => Strategy, intensity => 1000000, period => 1}, Specs}};
init({worker, none, none}) ->
    {ok, none};
init({worker, I, Collector}) ->
    Collector ! {started, I, self()},
    {ok, I}.

handle_call(ping, _From, State) -> {reply, pong, State}.
handle_cast(_Request, State) -> {noreply, State}.

now_ns() -> erlang:monotonic_time(nanosecond).

json(Fields) ->
    Pairs = [io_lib:format("\"~s\":~s", [Key, number(Value)]) || {Key, Value} <- Fields],
    ["{", lists:join(",", Pairs), "}"].

number(Value) when is_integer(Value) -> integer_to_list(Value);
number(Value) -> float_to_list(Value, [{decimals, 3}, compact]).
