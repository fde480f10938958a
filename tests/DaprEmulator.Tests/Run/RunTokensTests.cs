using System.Text.Json.Nodes;
using DaprEmulator.Run;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.Run;

// The tokens `run` gives its apps and the file it lists them in.
public sealed class RunTokensTests : IDisposable
{
    private readonly ResourcesFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_token_given_in_the_run_file_or_the_environment_is_kept_and_a_missing_one_generated()
    {
        var file = RunFile(
            new RunApp { AppId = "order-command", AppDirPath = _root.Path, Env = new Dictionary<string, string> { ["DAPR_API_TOKEN"] = "from-yaml" } },
            new RunApp { AppId = "order-query", AppDirPath = _root.Path });
        string? Environment(string name) => name == "APP_API_TOKEN" ? "from-env" : null;

        var first = RunTokens.Resolve(file, Environment);
        var second = RunTokens.Resolve(file, Environment);

        Assert.Equal(new AppTokens("from-yaml", "from-env"), first["order-command"]);
        Assert.Equal("from-env", first["order-query"].AppApiToken);
        Assert.Matches("^[0-9a-f]{64}$", first["order-query"].DaprApiToken);
        Assert.NotEqual(first["order-query"].DaprApiToken, second["order-query"].DaprApiToken);
    }

    [Fact]
    public void Generated_tokens_differ_per_app_and_per_variable()
    {
        var file = RunFile(new RunApp { AppId = "a", AppDirPath = _root.Path }, new RunApp { AppId = "b", AppDirPath = _root.Path });

        var tokens = RunTokens.Resolve(file, _ => null);

        string[] all = [tokens["a"].DaprApiToken, tokens["a"].AppApiToken, tokens["b"].DaprApiToken, tokens["b"].AppApiToken];
        Assert.Equal(4, all.Distinct().Count());
        Assert.All(all, t => Assert.Matches("^[0-9a-f]{64}$", t));
    }

    [Fact]
    public void The_tokens_file_is_owner_only_json_next_to_the_run_file_and_gone_when_disposed()
    {
        var file = RunFile(new RunApp { AppId = "order-command", AppDirPath = _root.Path });
        var path = Path.Combine(_root.Path, ".dapr-emulator", "run-tokens.json");

        using (var written = RunTokensFile.Write(file, new Dictionary<string, AppTokens> { ["order-command"] = new("dapr-token", "app-token") }))
        {
            Assert.Equal(path, written.Path);
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.Equal(("dapr-token", "app-token"), (json["order-command"]!["daprApiToken"]!.GetValue<string>(), json["order-command"]!["appApiToken"]!.GetValue<string>()));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }

        Assert.False(File.Exists(path));
    }

    private RunFile RunFile(params RunApp[] apps) => new(Path.Combine(_root.Path, "dapr.yaml"), 1, apps, []);
}
