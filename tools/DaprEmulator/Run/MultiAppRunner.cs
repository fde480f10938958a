using System.Diagnostics;
using System.Runtime.InteropServices;
using DaprEmulator.Hosting;

namespace DaprEmulator.Run;

// `run -f dapr.yaml`: one emulator, one sidecar per app on the ports the file names, then each app's
// command in its appDirPath with APP_ID, APP_PORT, DAPR_HTTP_PORT, DAPR_GRPC_PORT, APP_PROTOCOL,
// DAPR_API_TOKEN and APP_API_TOKEN on top of the common and app env, like the dapr CLI. Unlike the
// CLI it always sets both tokens (RunTokens: given, or generated for the run) and writes them to
// .dapr-emulator/run-tokens.json for the run's duration. Ctrl+C or SIGTERM stops every app's process
// tree, then the sidecars. storage: where state and reminders are kept (RunStorage); memory if null.
public sealed class MultiAppRunner(
    RunFile file, PrefixedConsole console, LogLevel logLevel = LogLevel.Information, TimeSpan? appStartTimeout = null,
    Func<string, string?>? environment = null, EmulatorStorage? storage = null)
{
    // Apps start one after another, each once the previous app's port accepts connections (or its
    // process exited, or this much time passed): several `dotnet run` building the same shared
    // project at once would race on its obj/ and bin/ folders.
    private readonly TimeSpan _appStartTimeout = appStartTimeout ?? TimeSpan.FromSeconds(180);
    private readonly List<(RunApp App, Process Process)> _processes = [];

    public async Task<int> RunAsync(CancellationToken stop)
    {
        foreach (var warning in file.Warnings)
        {
            console.Dapr(null, $"level=warning msg=\"{warning}\"");
        }

        using var loggers = LoggerFactory.Create(b => b.ClearProviders().SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new PrefixedConsoleLoggerProvider(console, logLevel)));
        storage ??= new EmulatorStorage.Memory();
        console.Dapr(null, $"level=info msg=\"{RunStorage.Describe(storage)}\"");
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { LoggerFactory = loggers, RecordTraffic = false, Storage = storage }, stop);
        var tokens = RunTokens.Resolve(file, environment ?? Environment.GetEnvironmentVariable);
        using var tokensFile = RunTokensFile.Write(file, tokens);
        console.Dapr(null, $"level=info msg=\"API tokens of this run (DAPR_API_TOKEN, APP_API_TOKEN per app) are in {tokensFile.Path}\"");
        try
        {
            foreach (var app in file.Apps)
            {
                stop.ThrowIfCancellationRequested();
                var appTokens = tokens[app.AppId];
                var sidecar = await emulator.StartSidecarAsync(new SidecarOptions
                {
                    AppId = app.AppId,
                    AppPort = app.AppPort,
                    HttpPort = app.DaprHttpPort ?? 0,
                    GrpcPort = app.DaprGrpcPort ?? 0,
                    ApiToken = appTokens.DaprApiToken,
                    AppApiToken = appTokens.AppApiToken,
                    ResourcesPaths = app.ResourcesPaths,
                }, stop);
                console.Dapr(app.AppId, $"level=info msg=\"You're up and running! Dapr logs will appear here. HTTP {sidecar.HttpPort}, gRPC {sidecar.GrpcPort}\"");
                if (app.Command.Count > 0)
                {
                    var process = Start(app, sidecar, appTokens);
                    _processes.Add((app, process));
                    await WaitForAppAsync(app, process, stop);
                }
            }

            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            console.Dapr(null, "level=info msg=\"Received signal to stop Dapr and app processes. Shutting down Dapr and app processes.\"");
            await Task.WhenAll(_processes.Select(p => ProcessTree.StopAsync(p.Process, TimeSpan.FromSeconds(10))));
        }

        return 0;
    }

    private Process Start(RunApp app, DaprSidecar sidecar, AppTokens tokens)
    {
        var info = new ProcessStartInfo(app.Command[0])
        {
            WorkingDirectory = app.AppDirPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in app.Command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (k, v) in app.Env)
        {
            info.Environment[k] = v;
        }

        info.Environment["APP_ID"] = app.AppId;
        if (app.AppPort is { } port)
        {
            info.Environment["APP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        info.Environment["APP_PROTOCOL"] = "http";
        info.Environment["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment[RunTokens.DaprApiTokenVariable] = tokens.DaprApiToken;
        info.Environment[RunTokens.AppApiTokenVariable] = tokens.AppApiToken;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                console.App(app.AppId, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                console.App(app.AppId, e.Data);
            }
        };
        process.Exited += (_, _) => console.Dapr(app.AppId, $"level=info msg=\"app {app.AppId} exited with code {ExitCode(process)}\"");
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"app {app.AppId}: cannot start '{app.Command[0]}' in {app.AppDirPath}: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        console.Dapr(app.AppId, $"level=info msg=\"started app {app.AppId}: {string.Join(' ', app.Command)} (pid {process.Id})\"");
        return process;
    }

    private static string ExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    private async Task WaitForAppAsync(RunApp app, Process process, CancellationToken stop)
    {
        if (app.AppPort is not { } port)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_appStartTimeout);
        try
        {
            while (!process.HasExited && !await AppPortProbe.IsOpenAsync(port, timeout.Token))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            console.Dapr(app.AppId, $"level=warning msg=\"app {app.AppId} did not open port {port} within {_appStartTimeout.TotalSeconds:0} s; starting the next app\"");
        }
    }

    // Ctrl+C and SIGTERM end the run; the handlers cancel the token instead of killing the process.
    public static CancellationTokenSource StopOnSignals(out IDisposable registrations)
    {
        var cts = new CancellationTokenSource();
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }

        var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        registrations = new Registrations(sigint, sigterm);
        return cts;
    }

    private sealed class Registrations(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
