using System.Diagnostics;
using System.Reflection;
using System.Text;
using OrderDapr.Testing;

namespace OrderDapr.Chaos;

// One of the services as `dapr run` would start it: its built assembly in a process of its own,
// told its ports through APP_PORT / DAPR_HTTP_PORT / DAPR_GRPC_PORT. Killed with SIGKILL, as a
// crash would end it, and started again on the same port.
public sealed class ServiceProcess : IAsyncDisposable
{
    // The configuration this tool was built in: the services' builds it starts.
    private static readonly string Configuration =
        typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly string _assemblyPath;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ServiceProcess(string project, int appPort, int daprHttpPort, int daprGrpcPort, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        Name = project;
        AppPort = appPort;
        _assemblyPath = Path.Combine(Repository.Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        if (!File.Exists(_assemblyPath))
        {
            throw new FileNotFoundException($"Build {project} first: {_assemblyPath} is missing.");
        }

        var environment = new Dictionary<string, string>
        {
            ["APP_PORT"] = appPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_HTTP_PORT"] = daprHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = daprGrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{appPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        _environment = environment;
    }

    public string Name { get; }

    public int AppPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{AppPort}");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StartAsync(TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet", [_assemblyPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_assemblyPath)!,
        };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{Name} did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} did not answer /healthz within {timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    // A crash, not a graceful shutdown.
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
