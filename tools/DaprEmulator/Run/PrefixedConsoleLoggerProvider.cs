namespace DaprEmulator.Run;

// Routes the emulator's logs to the prefixed console: categories "Dapr[{appId}]..." belong to that
// app's sidecar, the rest to the emulator itself.
public sealed class PrefixedConsoleLoggerProvider(PrefixedConsole console, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(console, categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(PrefixedConsole console, string category, LogLevel minimum) : ILogger
    {
        private readonly string? _appId = category.StartsWith("Dapr[", StringComparison.Ordinal) && category.IndexOf(']', StringComparison.Ordinal) is > 5 and var end
            ? category[5..end]
            : null;

        // ASP.NET Core and gRPC infrastructure only speak up on warnings.
        private readonly LogLevel _minimum = category.StartsWith("Microsoft.", StringComparison.Ordinal) || category.StartsWith("Grpc.", StringComparison.Ordinal)
            ? LogLevel.Warning
            : minimum;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Trace or LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "fatal",
            };
            var message = $"level={level} msg=\"{formatter(state, exception)}\"";
            if (exception is not null && logLevel >= LogLevel.Error)
            {
                message += $" error=\"{exception.Message}\"";
            }

            console.Dapr(_appId, message);
        }
    }
}
