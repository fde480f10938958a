using DaprEmulator.Run;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.Run;

public sealed class MultiAppRunnerTests
{
    [Fact]
    public async Task Run_starts_each_app_with_the_dapr_environment_and_prefixes_its_output()
    {
        using var root = new ResourcesFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "components"));
        root.Add(Path.Combine("components", "pubsub.yaml"), Yaml.Redis("bus"));
        Directory.CreateDirectory(Path.Combine(root.Path, "app"));
        root.Add("dapr.yaml", """
            version: 1
            common:
              resourcesPath: ./components
              env:
                GREETING: hello
            apps:
              - appID: tiny
                appDirPath: ./app
                command: ["sh", "-c", "echo \"$GREETING $APP_ID http=$DAPR_HTTP_PORT grpc=$DAPR_GRPC_PORT dir=$(basename $(pwd))\"; sleep 60"]
            """);
        using var output = new LineCollector();
        var file = RunFileParser.Parse(Path.Combine(root.Path, "dapr.yaml"));
        using var stop = new CancellationTokenSource();

        var run = new MultiAppRunner(file, new PrefixedConsole(output)).RunAsync(stop.Token);
        await Poll.UntilAsync(() => output.Lines.Any(l => l.StartsWith("== APP - tiny == hello", StringComparison.Ordinal)), "the app printed its environment");
        await stop.CancelAsync();
        var exitCode = await run;

        var line = output.Lines.First(l => l.StartsWith("== APP - tiny == ", StringComparison.Ordinal));
        Assert.Matches(@"^== APP - tiny == hello tiny http=\d+ grpc=\d+ dir=app$", line);
        Assert.Equal(0, exitCode);
        Assert.Contains(output.Lines, l => l.StartsWith("== DAPR - tiny == ", StringComparison.Ordinal));
    }
}
