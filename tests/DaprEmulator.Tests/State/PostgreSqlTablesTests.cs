using System.Net.Http.Json;
using DaprEmulator.Tests.Support;
using Npgsql;

namespace DaprEmulator.Tests.State;

// EmulatorStorage.External: state.postgresql components write to the real PostgreSQL, in the
// tables of components-contrib, so that what the emulator wrote is what daprd would read.
[Trait("Backend", "PostgreSQL")]
public sealed class PostgreSqlTablesTests : IDisposable
{
    private readonly PostgreSqlBackend _backend = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_value_saved_through_the_dapr_api_is_the_row_of_the_v2_state_table()
    {
        var key = $"order-{Guid.NewGuid():N}";
        await using var env = await EmulatorWithApp.StartAsync("order-command", null, TimeProvider.System, _backend.Storage,
            Yaml.Component("eventstore", "state.postgresql", "v2", [("connectionString", PostgreSqlBackend.ConnectionString)]));

        await env.Client.SaveStateAsync("eventstore", key, new { Total = 5 }, cancellationToken: Ct);
        var (_, etag) = await env.Client.GetStateAndETagAsync<object>("eventstore", key, cancellationToken: Ct);

        await using var connection = PostgreSqlBackend.Open();
        await using var select = new NpgsqlCommand("SELECT value, etag::text FROM state WHERE key = $1", connection) { Parameters = { new() { Value = $"order-command||{key}" } } };
        await using (var row = await select.ExecuteReaderAsync(Ct))
        {
            Assert.True(await row.ReadAsync(Ct), "no row for the key in table state");
            Assert.Equal("""{"total":5}""", System.Text.Encoding.UTF8.GetString(row.GetFieldValue<byte[]>(0)));
            Assert.Equal(etag, row.GetString(1));
        }

        // The migration level daprd reads before it migrates: it would find nothing left to do.
        await using var level = new NpgsqlCommand("SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-'", connection);
        Assert.Equal("2", await level.ExecuteScalarAsync(Ct));
        await using var delete = new NpgsqlCommand("DELETE FROM state WHERE key = $1", connection) { Parameters = { new() { Value = $"order-command||{key}" } } };
        await delete.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task The_v1_table_keeps_json_as_jsonb_bytes_as_base64_and_the_etag_is_the_rows_xmin()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, TimeProvider.System, _backend.Storage, _backend.PostgresV1("store", ("keyPrefix", "none")));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        (await http.PostAsJsonAsync("/v1.0/state/store", new[] { new { key = "json", value = new { b = 1, a = "x" } } }, Ct)).EnsureSuccessStatusCode();
        await env.Client.SaveByteStateAsync("store", "bytes", new byte[] { 1, 2, 3 }, cancellationToken: Ct);
        var (_, etag) = await env.Client.GetStateAndETagAsync<object>("store", "json", cancellationToken: Ct);

        var table = _backend.TableOf("store");
        await using var connection = PostgreSqlBackend.Open();
        await using var select = new NpgsqlCommand($"SELECT key, value::text, isbinary, xmin::text FROM {table} ORDER BY key", connection);
        await using var rows = await select.ExecuteReaderAsync(Ct);
        var found = new List<(string, string, bool, string)>();
        while (await rows.ReadAsync(Ct))
        {
            found.Add((rows.GetString(0), rows.GetString(1), rows.GetBoolean(2), rows.GetString(3)));
        }

        Assert.Equal(("bytes", "\"AQID\"", true), (found[0].Item1, found[0].Item2, found[0].Item3));
        Assert.Equal(("json", """{"a": "x", "b": 1}""", false, etag), found[1]);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await env.Client.GetByteStateAsync("store", "bytes", cancellationToken: Ct)).ToArray());
    }

    public void Dispose() => _backend.Dispose();
}
