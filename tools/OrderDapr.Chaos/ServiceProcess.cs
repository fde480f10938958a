using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace OrderDapr.Chaos;

// One of the services as `dapr run` would start it: its built assembly in a process of its own,
// told its ports through APP_PORT / DAPR_HTTP_PORT / DAPR_GRPC_PORT. Killed with SIGKILL, as a
// crash would end it, and started again on the same port.
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _assemblyPath;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ServiceProcess(string project, int appPort, int daprHttpPort, int daprGrpcPort, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        Name = project;
        AppPort = appPort;
        _assemblyPath = Path.Combine(Repository.Root, "src", project, "bin", Repository.Configuration, "net10.0", project + ".dll");
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

public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderDapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OrderDapr.sln not found above the tool's folder.");
    }
}

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): the ports the system hands out for port 0 and
    // for outgoing connections — which parallel test runs use by the thousand — never come from
    // here, so a port found free stays free until the process it is meant for binds it.
    private const int First = 20000;
    private const int Last = 32767;

    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!Given.Add(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // In use: another one.
                }
            }
        }
    }
}
