using System.Globalization;

namespace DaprEmulator.State;

// A state table in the process (EmulatorStorage.Memory): gone when the emulator stops.
public sealed class MemoryStateTable : IStateTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StateRow> _rows = new(StringComparer.Ordinal);

    public StateRow? Find(string key)
    {
        lock (_lock)
        {
            return _rows.GetValueOrDefault(key);
        }
    }

    public StateRow? FindForWrite(string key) => Find(key);

    public IReadOnlyList<KeyValuePair<string, StateRow>> FindMany(IReadOnlyList<string> keys)
    {
        lock (_lock)
        {
            return [.. keys.Distinct(StringComparer.Ordinal)
                .Where(_rows.ContainsKey)
                .Select(k => KeyValuePair.Create(k, _rows[k]))];
        }
    }

    public IReadOnlyList<KeyValuePair<string, StateRow>> All()
    {
        lock (_lock)
        {
            return [.. _rows];
        }
    }

    public long HighestIntegerETag()
    {
        lock (_lock)
        {
            return _rows.Values
                .Select(r => long.TryParse(r.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .DefaultIfEmpty(0)
                .Max();
        }
    }

    public Task Commit(IReadOnlyDictionary<string, StateRow?> writes)
    {
        lock (_lock)
        {
            foreach (var (key, row) in writes)
            {
                if (row is null)
                {
                    _rows.Remove(key);
                }
                else
                {
                    _rows[key] = row;
                }
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }
}
