using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrderDapr.Query.Tests.Fixtures;

public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception);

// Every log line of a host, for tests that check what is (not) logged.
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}
