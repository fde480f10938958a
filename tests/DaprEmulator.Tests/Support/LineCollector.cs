using System.Collections.Concurrent;
using System.Text;

namespace DaprEmulator.Tests.Support;

// A TextWriter that keeps the lines written to it, safe to read while others write.
public sealed class LineCollector : TextWriter
{
    private readonly ConcurrentQueue<string> _lines = new();

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines => [.. _lines];

    public override void WriteLine(string? value) => _lines.Enqueue(value ?? "");

    public override void Write(char value) => throw new NotSupportedException("only whole lines are collected");
}
