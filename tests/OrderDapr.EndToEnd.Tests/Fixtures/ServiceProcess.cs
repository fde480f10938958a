using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

// One of the services as `dapr run` would start it: its built assembly in a process of its own,
// told its ports through APP_PORT / DAPR_HTTP_PORT / DAPR_GRPC_PORT.
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string assemblyPath;
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly StringBuilder output = new();
    private Process? process;

    public ServiceProcess(string project, int appPort, int daprHttpPort, int daprGrpcPort, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        Name = project;
        AppPort = appPort;
        assemblyPath = Path.Combine(Repository.Root, "src", project, "bin", Repository.Configuration, "net10.0", project + ".dll");
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"Build {project} first: {assemblyPath} is missing.");
        }

        var env = new Dictionary<string, string>
        {
            ["APP_PORT"] = appPort.ToString(),
            ["DAPR_HTTP_PORT"] = daprHttpPort.ToString(),
            ["DAPR_GRPC_PORT"] = daprGrpcPort.ToString(),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{appPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        environment = env;
    }

    public string Name { get; }

    public int AppPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{AppPort}");

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet", [assemblyPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }

        process = Process.Start(info) ?? throw new InvalidOperationException($"{Name} did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                return false;
            }
        }, $"{Name} to answer /healthz", TimeSpan.FromSeconds(60));
    }

    // A crash, not a graceful shutdown: what a restart test must survive.
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
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

        throw new InvalidOperationException("OrderDapr.sln not found above the test folder.");
    }
}

public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
