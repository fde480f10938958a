using Microsoft.Data.Sqlite;

namespace DaprEmulator.PubSub.Streams;

// The one connection of a SQLite backend and the thread that uses it. Every command is a work item
// run there in arrival order; the items that arrive while a transaction runs share the next one
// (group commit): alone, a command commits at once; under load, many share one commit. A dedicated
// thread, not the thread pool: Run's synchronous callers (XGROUP CREATE, the HasUndelivered test
// hook) block a pool thread while they wait.
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 1024;

    private readonly object _gate = new();
    private readonly Queue<IWork> _queue = new();
    private readonly SqliteConnection _db;
    private readonly Lock _fileWriteLock;
    private readonly Action _failed;
    private readonly Thread _thread;
    private bool _closed;

    // `failed` runs on the thread after a transaction was rolled back.
    public SqliteWriter(SqliteConnection db, Lock fileWriteLock, string name, Action failed)
    {
        _db = db;
        _fileWriteLock = fileWriteLock;
        _failed = failed;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public T Run<T>(Func<SqliteTransaction, T> work) => RunAsync(work).GetAwaiter().GetResult();

    public Task<T> RunAsync<T>(Func<SqliteTransaction, T> work)
    {
        var item = new Work<T>(work);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _queue.Enqueue(item);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return item.Task;
    }

    // Runs what is queued, then stops the thread.
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Loop()
    {
        var batch = new List<IWork>();
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0 && !_closed)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                while (batch.Count < MaxBatch && _queue.TryDequeue(out var item))
                {
                    batch.Add(item);
                }
            }

            RunBatch(batch);
            batch.Clear();
        }
    }

    private void RunBatch(List<IWork> batch)
    {
        try
        {
            lock (_fileWriteLock)
            {
                using var tx = _db.BeginTransaction();
                foreach (var item in batch)
                {
                    item.Execute(tx);
                }

                tx.Commit();
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch)
            {
                item.Fail(e);
            }

            _failed();
            return;
        }

        foreach (var item in batch)
        {
            item.Complete();
        }
    }

    private interface IWork
    {
        void Execute(SqliteTransaction tx);

        void Complete();

        void Fail(Exception e);
    }

    // A command's own error reply (e.g. NOGROUP) fails that command only: it is raised before the
    // command writes anything.
    private sealed class Work<T>(Func<SqliteTransaction, T> work) : IWork
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private RedisStreamsException? _error;

        public Task<T> Task => _done.Task;

        public void Execute(SqliteTransaction tx)
        {
            try
            {
                _result = work(tx);
            }
            catch (RedisStreamsException e)
            {
                _error = e;
            }
        }

        public void Complete()
        {
            if (_error is null)
            {
                _done.TrySetResult(_result!);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }

        public void Fail(Exception e) => _done.TrySetException(e);
    }
}
