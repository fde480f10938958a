using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprEmulator.Tests.Support;
using OrderDapr.Testing;

namespace DaprEmulator.Tests.Storage;

// `run` as a user starts it, killed with SIGKILL: every write it acknowledged is in its data file
// when it starts again (WAL: a commit is in the file before the answer goes out).
public sealed class ProcessKillTests : IDisposable
{
    private readonly ResourcesFolder _root = new();
    private readonly int _port = FreePort.Next();

    public ProcessKillTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "components"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "app"));
        _root.Add(Path.Combine("components", "store.yaml"), Yaml.PostgresV2("store"));
        _root.Add("dapr.yaml", $"""
            version: 1
            common:
              resourcesPath: ./components
            apps:
              - appID: tiny
                appDirPath: ./app
                daprHTTPPort: {_port}
            """);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_acknowledged_before_a_kill_are_read_back_by_the_next_run()
    {
        using (var first = await StartRunAsync())
        {
            for (var i = 0; i < 50; i++)
            {
                using var save = await first.Http.PostAsJsonAsync("/v1.0/state/store", new[] { new { key = $"k{i}", value = new { n = i } } }, Ct);
                Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);
            }

            first.Kill();
        }

        using var second = await StartRunAsync();
        using var bulk = await second.Http.PostAsJsonAsync("/v1.0/state/store/bulk", new { keys = Enumerable.Range(0, 50).Select(i => $"k{i}") }, Ct);
        var items = await bulk.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(
            Enumerable.Range(0, 50).Select(i => $"k{i}={{\"n\":{i}}}").Order(),
            items.EnumerateArray().Select(e => $"{e.GetProperty("key").GetString()}={(e.TryGetProperty("data", out var d) ? d.GetRawText() : "missing")}").Order());
    }

    public void Dispose() => _root.Dispose();

    private async Task<RunProcess> StartRunAsync()
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "DaprEmulator"))
        {
            WorkingDirectory = _root.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "-f", "dapr.yaml", "--data", Path.Combine(_root.Path, "data") })
        {
            info.ArgumentList.Add(arg);
        }

        var run = new RunProcess(Process.Start(info)!, _port);
        await Poll.UntilAsync(() => run.Output.Any(l => l.Contains("You're up and running", StringComparison.Ordinal)) || run.Process.HasExited, "the run has started its sidecar");
        Assert.False(run.Process.HasExited, string.Join("\n", run.Output));
        var tokens = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_root.Path, ".dapr-emulator", "run-tokens.json"), Ct));
        run.Http.DefaultRequestHeaders.Add("dapr-api-token", tokens.RootElement.GetProperty("tiny").GetProperty("daprApiToken").GetString());
        return run;
    }

    private sealed class RunProcess : IDisposable
    {
        private readonly List<string> _output = [];

        public RunProcess(Process process, int port)
        {
            Process = process;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public HttpClient Http { get; }

        public IReadOnlyList<string> Output
        {
            get
            {
                lock (_output)
                {
                    return [.. _output];
                }
            }
        }

        // SIGKILL: nothing of the process runs after it.
        public void Kill()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Kill();
            }

            Http.Dispose();
            Process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }
    }
}
