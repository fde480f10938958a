using System.Threading.Channels;

namespace DaprEmulator.PubSub;

// A message of a bulk subscription as the component handed it (contribPubsub.BulkMessageEntry).
public sealed record BulkEntry(string EntryId, byte[] Event, IReadOnlyDictionary<string, string> Metadata, string? ContentType);

// Handles a batch and returns the error of each entry that failed; an entry not in the answer was processed.
public delegate Task<IReadOnlyDictionary<string, string>> BulkHandler(IReadOnlyList<BulkEntry> entries, CancellationToken cancellationToken);

// daprd's default bulk subscriber (pkg/runtime/pubsub/default_bulksub.go), used for components
// without native bulk subscribe (Redis, in-memory): each call of the component's handler puts its
// message on a channel of capacity maxMessagesCount and waits until the batch holding it is handled.
// One loop collects the batches: it flushes when maxMessagesCount messages are collected or
// maxAwaitDurationMs after the first message of the batch, and handles one batch at a time. A batch
// so never holds more messages than the component hands out at once (Redis: its concurrency).
public sealed class BulkCollector : IAsyncDisposable
{
    private const int DefaultMaxMessagesCount = 100;
    private const int DefaultMaxAwaitDurationMs = 1000;

    private readonly int _maxCount;
    private readonly TimeSpan _maxAwait;
    private readonly BulkHandler _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Waiting> _arrivals;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _batched;

    public BulkCollector(BulkSubscribeSpec spec, BulkHandler handler, TimeProvider time, ILogger logger)
    {
        // utils.GetIntValOrDefault: 0 (or less) is the default.
        _maxCount = spec.MaxMessagesCount > 0 ? spec.MaxMessagesCount : DefaultMaxMessagesCount;
        _maxAwait = TimeSpan.FromMilliseconds(spec.MaxAwaitDurationMs > 0 ? spec.MaxAwaitDurationMs : DefaultMaxAwaitDurationMs);
        _handler = handler;
        _time = time;
        _logger = logger;
        _arrivals = Channel.CreateBounded<Waiting>(_maxCount);
        _loop = Task.Run(RunAsync);
    }

    // Test hook: the messages of the batch being collected, once its await timer runs; 0 while a batch is handled.
    internal int Batched => Volatile.Read(ref _batched);

    // The handler given to the component: one call per message.
    public async Task HandleAsync(PubSubMessage message, CancellationToken ct)
    {
        var waiting = new Waiting(new BulkEntry(Guid.NewGuid().ToString(), message.Data, message.Metadata, message.ContentType));
        await _arrivals.Writer.WriteAsync(waiting, ct);
        if (await waiting.Done.Task.WaitAsync(ct) is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    // processBulkMessagesBatch
    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var batch = new List<Waiting>(_maxCount);
        Task? deadline = null;
        Task<bool>? arrival = null;
        try
        {
            while (true)
            {
                if (batch.Count == 0)
                {
                    batch.Add(await _arrivals.Reader.ReadAsync(ct));
                    deadline = Task.Delay(_maxAwait, _time, ct);
                }

                // drainChannel: what is already waiting counts toward this batch.
                while (batch.Count < _maxCount && _arrivals.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                Volatile.Write(ref _batched, batch.Count);
                if (batch.Count < _maxCount)
                {
                    arrival = arrival is { IsCompleted: false } ? arrival : _arrivals.Reader.WaitToReadAsync(ct).AsTask();
                    if (await Task.WhenAny(arrival, deadline!) == arrival)
                    {
                        await arrival;
                        continue;
                    }

                    await deadline!;
                }

                Volatile.Write(ref _batched, 0);
                await FlushAsync(batch, ct);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopped: the messages collected are not handled; their handlers return cancelled.
            foreach (var waiting in batch)
            {
                waiting.Done.TrySetCanceled(ct);
            }

            while (_arrivals.Reader.TryRead(out var waiting))
            {
                waiting.Done.TrySetCanceled(ct);
            }
        }
    }

    // flushMessages: each message gets its entry's error, or none.
    private async Task FlushAsync(List<Waiting> batch, CancellationToken ct)
    {
        IReadOnlyDictionary<string, string> errors;
        try
        {
            errors = await _handler([.. batch.Select(w => w.Entry)], ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError("error handling a bulk of {Count} messages: {Error}", batch.Count, e.Message);
            errors = batch.ToDictionary(w => w.Entry.EntryId, _ => e.Message);
        }

        foreach (var waiting in batch)
        {
            waiting.Done.TrySetResult(errors.GetValueOrDefault(waiting.Entry.EntryId));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private sealed record Waiting(BulkEntry Entry)
    {
        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
