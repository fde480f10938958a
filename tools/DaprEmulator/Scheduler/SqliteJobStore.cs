using DaprEmulator.Actors;
using DaprEmulator.Storage;
using Microsoft.Data.Sqlite;

namespace DaprEmulator.Scheduler;

// The Scheduler's job records in the SQLite file of EmulatorStorage.Sqlite (table scheduler_jobs):
// the reminder as registered and its counter, so that a job goes on after a restart from the
// tick (and failed attempt) it had reached. Called under the scheduler's lock: one writer.
internal sealed class SqliteJobStore : IJobStore
{
    private const string Table = "scheduler_jobs";

    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _save;
    private readonly SqliteCommand _remove;

    public SqliteJobStore(SqliteDatabase database)
    {
        _database = database;
        database.EnsureSchema($"""
            CREATE TABLE IF NOT EXISTS {Table} (
              app_id TEXT NOT NULL,
              actor_type TEXT NOT NULL,
              actor_id TEXT NOT NULL,
              name TEXT NOT NULL,
              data TEXT DEFAULT NULL,
              due_time TEXT NOT NULL,
              period TEXT NOT NULL,
              ttl TEXT NOT NULL,
              expiration_time TIMESTAMP DEFAULT NULL,
              next_due TIMESTAMP NOT NULL,
              repeats_left INTEGER NOT NULL,
              next_attempt TIMESTAMP NOT NULL,
              failures INTEGER NOT NULL,
              PRIMARY KEY (app_id, actor_type, actor_id, name)
            )
            """);
        _connection = database.Open();
        _save = SqliteDatabase.Prepare(_connection, $"""
            INSERT OR REPLACE INTO {Table}
              (app_id, actor_type, actor_id, name, data, due_time, period, ttl, expiration_time, next_due, repeats_left, next_attempt, failures)
            VALUES ($app_id, $actor_type, $actor_id, $name, $data, $due_time, $period, $ttl, $expiration_time, $next_due, $repeats_left, $next_attempt, $failures)
            """, "$app_id", "$actor_type", "$actor_id", "$name", "$data", "$due_time", "$period", "$ttl", "$expiration_time", "$next_due", "$repeats_left", "$next_attempt", "$failures");
        _remove = SqliteDatabase.Prepare(
            _connection,
            $"DELETE FROM {Table} WHERE app_id = $app_id AND actor_type = $actor_type AND actor_id = $actor_id AND name = $name",
            "$app_id", "$actor_type", "$actor_id", "$name");
    }

    public IReadOnlyList<ReminderJob> Load()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            SELECT app_id, actor_type, actor_id, name, data, due_time, period, ttl, expiration_time, next_due, repeats_left, next_attempt, failures
            FROM {Table}
            """;
        using var rows = command.ExecuteReader();
        var jobs = new List<ReminderJob>();
        while (rows.Read())
        {
            var period = rows.GetString(6);
            jobs.Add(new ReminderJob(new ReminderKey(rows.GetString(0), rows.GetString(1), rows.GetString(2), rows.GetString(3)))
            {
                Data = rows.IsDBNull(4) ? null : rows.GetString(4),
                DueTime = rows.GetString(5),
                Period = period,
                // Checked when the reminder was created.
                ParsedPeriod = period.Length > 0 && DaprTime.TryParsePeriod(period, out var parsed) ? parsed : DaprPeriod.None,
                Ttl = rows.GetString(7),
                Expiration = rows.IsDBNull(8) ? null : SqliteTime.Parse(rows.GetString(8)),
                NextDue = SqliteTime.Parse(rows.GetString(9)),
                RepeatsLeft = rows.GetInt32(10),
                NextAttempt = SqliteTime.Parse(rows.GetString(11)),
                Failures = rows.GetInt32(12),
            });
        }

        return jobs;
    }

    public void Save(ReminderJob job)
    {
        BindKey(_save, job.Key);
        _save.Parameters[4].Value = job.Data is { } data ? data : DBNull.Value;
        _save.Parameters[5].Value = job.DueTime;
        _save.Parameters[6].Value = job.Period;
        _save.Parameters[7].Value = job.Ttl;
        _save.Parameters[8].Value = job.Expiration is { } expiration ? SqliteTime.ToText(expiration) : DBNull.Value;
        _save.Parameters[9].Value = SqliteTime.ToText(job.NextDue);
        _save.Parameters[10].Value = job.RepeatsLeft;
        _save.Parameters[11].Value = SqliteTime.ToText(job.NextAttempt);
        _save.Parameters[12].Value = job.Failures;
        Write(_save);
    }

    public void Remove(ReminderKey key)
    {
        BindKey(_remove, key);
        Write(_remove);
    }

    public void Dispose()
    {
        lock (_database.WriteLock)
        {
            _save.Dispose();
            _remove.Dispose();
            _connection.Dispose();
        }
    }

    private void Write(SqliteCommand command)
    {
        lock (_database.WriteLock)
        {
            command.ExecuteNonQuery();
        }
    }

    private static void BindKey(SqliteCommand command, ReminderKey key)
    {
        command.Parameters[0].Value = key.AppId;
        command.Parameters[1].Value = key.ActorType;
        command.Parameters[2].Value = key.ActorId;
        command.Parameters[3].Value = key.Name;
    }
}
