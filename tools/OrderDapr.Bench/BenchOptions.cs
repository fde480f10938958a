using System.Globalization;

namespace OrderDapr.Bench;

public sealed record BenchOptions
{
    public const string Usage = """
        OrderDapr benchmark: drives the running system and measures it against references taken in the same run.
        Start the system first (README "Run it"), then:

          dotnet run -c Release --project tools/OrderDapr.Bench -- [options]

        Options (defaults in brackets):
          --orders N              orders placed at full speed [100000]
          --clients N             concurrent clients [32]
          --customers N           customers the orders are spread over [100]
          --lifecycle-orders N    orders taken through place, pay, ship, deliver [10000]
          --read-seconds S        length of each read scenario [10]
          --reference-seconds S   length of each reference measurement [10]
          --half-rate-seconds S   length of the lag measurement at half the placement rate [20]
          --idle-samples N        orders placed one at a time to measure the idle lag [200]
          --warm-up S             seconds of load before measuring, while .NET optimizes the hot code [30]
          --quick                 a short run: 10000 orders, 2000 lifecycle orders, 5 s phases
          --only P1,P2            run only these phases: ceiling, floor, idle-lag, place, half-rate, lifecycle, reads
          --out DIR               where the JSON result and PNG chart go [bench-results]
          --command URL           order-command [http://127.0.0.1:5001]
          --query URL             order-query [http://127.0.0.1:5002]
          --command-sidecar URL   order-command's sidecar, HTTP API [http://127.0.0.1:3501]
          --command-sidecar-grpc URL  its gRPC API [http://127.0.0.1:50001]
          --query-sidecar URL     order-query's sidecar, HTTP API [http://127.0.0.1:3502]
          --query-sidecar-grpc URL    its gRPC API [http://127.0.0.1:50002]
        The sidecars' API tokens come from DAPR_API_TOKEN_ORDER_COMMAND / DAPR_API_TOKEN_ORDER_QUERY (or
        DAPR_API_TOKEN for both), else from the file the emulator's `run` writes for its run,
        .dapr-emulator/run-tokens.json in the current folder (--tokens FILE to read another).
        """;

    public long Orders { get; init; } = 100_000;

    public int Clients { get; init; } = 32;

    public int Customers { get; init; } = 100;

    public long LifecycleOrders { get; init; } = 10_000;

    public TimeSpan ReadDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReferenceDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HalfRateDuration { get; init; } = TimeSpan.FromSeconds(20);

    public int IdleSamples { get; init; } = 200;

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(30);

    public string OutputFolder { get; init; } = "bench-results";

    public static readonly string[] Phases = ["ceiling", "floor", "idle-lag", "push", "place", "half-rate", "lifecycle", "reads"];

    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(Phases, StringComparer.Ordinal);

    public bool Runs(string phase) => Only.Contains(phase);

    public Endpoints Endpoints { get; init; } = new(
        new Uri("http://127.0.0.1:5001"), new Uri("http://127.0.0.1:5002"),
        new Uri("http://127.0.0.1:3501"), new Uri("http://127.0.0.1:50001"), new Uri("http://127.0.0.1:3502"), new Uri("http://127.0.0.1:50002"));

    public string TokensFile { get; init; } = Path.Combine(".dapr-emulator", "run-tokens.json");

    public string? CommandApiToken => Token("DAPR_API_TOKEN_ORDER_COMMAND", "order-command");

    public string? QueryApiToken => Token("DAPR_API_TOKEN_ORDER_QUERY", "order-query");

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            long Number() => long.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            TimeSpan Seconds() => TimeSpan.FromSeconds(Number());
            Uri Url() => new(Value());

            options = args[i] switch
            {
                "--orders" => options with { Orders = Number() },
                "--clients" => options with { Clients = (int)Number() },
                "--customers" => options with { Customers = (int)Number() },
                "--lifecycle-orders" => options with { LifecycleOrders = Number() },
                "--read-seconds" => options with { ReadDuration = Seconds() },
                "--reference-seconds" => options with { ReferenceDuration = Seconds() },
                "--half-rate-seconds" => options with { HalfRateDuration = Seconds() },
                "--idle-samples" => options with { IdleSamples = (int)Number() },
                "--warm-up" => options with { WarmUp = Seconds() },
                "--quick" => options with
                {
                    Orders = 10_000, LifecycleOrders = 2_000, ReadDuration = TimeSpan.FromSeconds(5),
                    ReferenceDuration = TimeSpan.FromSeconds(5), HalfRateDuration = TimeSpan.FromSeconds(10), IdleSamples = 50, WarmUp = TimeSpan.FromSeconds(15),
                },
                "--out" => options with { OutputFolder = Value() },
                "--tokens" => options with { TokensFile = Value() },
                "--only" => options with { Only = ParsePhases(Value()) },
                "--command" => options with { Endpoints = options.Endpoints with { Command = Url() } },
                "--query" => options with { Endpoints = options.Endpoints with { Query = Url() } },
                "--command-sidecar" => options with { Endpoints = options.Endpoints with { CommandSidecarHttp = Url() } },
                "--command-sidecar-grpc" => options with { Endpoints = options.Endpoints with { CommandSidecarGrpc = Url() } },
                "--query-sidecar" => options with { Endpoints = options.Endpoints with { QuerySidecarHttp = Url() } },
                "--query-sidecar-grpc" => options with { Endpoints = options.Endpoints with { QuerySidecarGrpc = Url() } },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }

        return options.Orders < 1 || options.Clients < 1 || options.Customers < 1
            ? throw new ArgumentException("--orders, --clients and --customers must be at least 1")
            : options;
    }

    private static HashSet<string> ParsePhases(string list)
    {
        var phases = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return phases.FirstOrDefault(p => !Phases.Contains(p)) is { } unknown
            ? throw new ArgumentException($"unknown phase {unknown} (phases: {string.Join(", ", Phases)})")
            : phases;
    }

    private string? Token(string specific, string appId) =>
        Environment.GetEnvironmentVariable(specific) is { Length: > 0 } token ? token
        : Environment.GetEnvironmentVariable("DAPR_API_TOKEN") is { Length: > 0 } shared ? shared
        : File.Exists(TokensFile)
            && System.Text.Json.JsonDocument.Parse(File.ReadAllText(TokensFile)).RootElement is var tokens
            && tokens.TryGetProperty(appId, out var app) && app.TryGetProperty("daprApiToken", out var fromRun)
            ? fromRun.GetString()
            : null;
}
