using DaprEmulator.Components;
using DaprEmulator.Run;

// dotnet run --project tools/DaprEmulator -- run -f dapr.yaml
const string Usage = """
    DaprEmulator: a Dapr-compatible sidecar emulator (state, pub/sub, outbox, actors) for machines without daprd.

    Usage:
      DaprEmulator run -f <dapr.yaml | folder> [--data <folder> | --in-memory | --external] [--log-level debug|info|warn|error]
                                                 Multi-App Run: a sidecar per app of the run file, then each app's command
      DaprEmulator --help                        This text

    Where the run keeps state (state.postgresql components) and actor reminders (Scheduler jobs):
      --data <folder>   in the SQLite file <folder>/emulator.db; they survive a restart. Default: .dapr-emulator/data next to
                        the run file
      --in-memory       in memory: gone when the run stops
      --external        state in the real PostgreSQL of each component's connectionString, with the tables daprd uses (daprd
                        can take over the database); reminders in the SQLite file of --data

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
string? dataFolder = null;
var inMemory = false;
var external = false;
var logLevel = LogLevel.Information;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-f" or "--run-file" when i + 1 < args.Length:
            runFile = args[++i];
            break;
        case "--data" when i + 1 < args.Length:
            dataFolder = args[++i];
            break;
        case "--in-memory":
            inMemory = true;
            break;
        case "--external":
            external = true;
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
    var storage = RunStorage.Resolve(file, dataFolder, inMemory, external);
    using var stop = MultiAppRunner.StopOnSignals(out var registrations);
    using (registrations)
    {
        return await new MultiAppRunner(file, console, logLevel, storage: storage).RunAsync(stop.Token);
    }
}
catch (ResourceLoadException e)
{
    console.Dapr(null, $"level=fatal msg=\"{e.Message}\"");
    return 1;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"{e.Message}\n\n{Usage}");
    return 1;
}
