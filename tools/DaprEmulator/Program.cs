using DaprEmulator.Components;
using DaprEmulator.Run;

// dotnet run --project tools/DaprEmulator -- run -f dapr.yaml
const string Usage = """
    DaprEmulator: a Dapr-compatible sidecar emulator (state, pub/sub, outbox, actors) for machines without daprd.

    Usage:
      DaprEmulator run -f <dapr.yaml | folder> [--log-level debug|info|warn|error]
                                                 Multi-App Run: a sidecar per app of the run file, then each app's command
      DaprEmulator --help                        This text

    Apps get APP_ID, APP_PORT, DAPR_HTTP_PORT, DAPR_GRPC_PORT, APP_PROTOCOL, DAPR_API_TOKEN and APP_API_TOKEN (generated
    for the run unless set; listed in .dapr-emulator/run-tokens.json next to the run file). Ctrl+C or SIGTERM stops everything.
    """;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 1 : 0;
}

if (args[0] != "run")
{
    Console.Error.WriteLine($"unknown command '{args[0]}'\n\n{Usage}");
    return 1;
}

string? runFile = null;
var logLevel = LogLevel.Information;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-f" or "--run-file" when i + 1 < args.Length:
            runFile = args[++i];
            break;
        case "--log-level" when i + 1 < args.Length:
            logLevel = args[++i] switch
            {
                "debug" => LogLevel.Debug,
                "info" => LogLevel.Information,
                "warn" => LogLevel.Warning,
                "error" => LogLevel.Error,
                var other => throw new ArgumentException($"unknown log level '{other}' (debug, info, warn, error)"),
            };
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'\n\n{Usage}");
            return 1;
    }
}

if (runFile is null)
{
    Console.Error.WriteLine($"run needs -f <dapr.yaml>\n\n{Usage}");
    return 1;
}

var console = new PrefixedConsole(Console.Out);
try
{
    var file = RunFileParser.Parse(runFile);
    using var stop = MultiAppRunner.StopOnSignals(out var registrations);
    using (registrations)
    {
        return await new MultiAppRunner(file, console, logLevel).RunAsync(stop.Token);
    }
}
catch (ResourceLoadException e)
{
    console.Dapr(null, $"level=fatal msg=\"{e.Message}\"");
    return 1;
}
