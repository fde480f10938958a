using System.Net;
using System.Text.Json.Nodes;
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

    [Fact]
    public async Task Run_gives_each_app_its_tokens_lists_them_for_the_run_and_its_sidecar_refuses_calls_without_them()
    {
        using var root = new ResourcesFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "components"));
        root.Add(Path.Combine("components", "pubsub.yaml"), Yaml.Redis("bus"));
        Directory.CreateDirectory(Path.Combine(root.Path, "app"));
        root.Add("dapr.yaml", """
            version: 1
            common:
              resourcesPath: ./components
            apps:
              - appID: tiny
                appDirPath: ./app
                env:
                  APP_API_TOKEN: given-app-token
                command: ["sh", "-c", "echo \"tokens $DAPR_HTTP_PORT $DAPR_API_TOKEN $APP_API_TOKEN\"; sleep 60"]
            """);
        using var output = new LineCollector();
        var file = RunFileParser.Parse(Path.Combine(root.Path, "dapr.yaml"));
        var tokensPath = Path.Combine(root.Path, ".dapr-emulator", "run-tokens.json");
        using var stop = new CancellationTokenSource();

        var run = new MultiAppRunner(file, new PrefixedConsole(output), environment: _ => null).RunAsync(stop.Token);
        var line = await Poll.ForAsync(() => output.Lines.FirstOrDefault(l => l.StartsWith("== APP - tiny == tokens", StringComparison.Ordinal)), "the app printed its tokens");
        var printed = line.Split(' ');
        var (port, daprToken, appToken) = (printed[^3], printed[^2], printed[^1]);
        var listed = JsonNode.Parse(File.ReadAllText(tokensPath))!["tiny"]!;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var forged = await http.GetAsync("/v1.0/metadata", TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1.0/metadata");
        request.Headers.Add("dapr-api-token", daprToken);
        var authorized = await http.SendAsync(request, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await run;

        Assert.Matches("^[0-9a-f]{64}$", daprToken);
        Assert.Equal("given-app-token", appToken);
        Assert.Equal((daprToken, appToken), (listed["daprApiToken"]!.GetValue<string>(), listed["appApiToken"]!.GetValue<string>()));
        Assert.Contains(output.Lines, l => l.Contains(tokensPath, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.False(File.Exists(tokensPath));
    }
}
