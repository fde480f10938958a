using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Contracts;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.DeadLetters;

public sealed record DeadLetterView(string Id, string? Type, string? OrderId, int? Version, string Reason, DateTimeOffset ParkedAt, JsonElement Event)
{
    public static DeadLetterView Of(DeadLetter letter) =>
        new(letter.Id, letter.Type, letter.OrderId, letter.Version, letter.Reason, letter.ParkedAt, letter.Event);
}

public sealed record DeadLetterPage(int Count, IReadOnlyList<DeadLetterView> Entries, string? NextCursor);

public sealed record ReplayRequest(IReadOnlyList<string>? Ids, bool All);

// Outcomes shown as projected, still-poison, not-projected, not-found.
public sealed class ReplayOutcomeJsonConverter() : JsonStringEnumConverter<ReplayOutcome>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false);

public sealed record ReplayResultView(string Id, [property: JsonConverter(typeof(ReplayOutcomeJsonConverter))] ReplayOutcome Outcome, string? Reason);

public sealed record ReplayAnswer(IReadOnlyList<ReplayResultView> Results, int Remaining);

// GET  /admin/dead-letters?after={cursor}&limit={1..100}  -> {count, entries, nextCursor}
// POST /admin/dead-letters/replay {"ids": [...]} or {"all": true} -> {results: [{id, outcome, reason}], remaining}
public static class DeadLetterEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxReplayIds = 1_000;

    public static RouteGroupBuilder MapDeadLetters(this RouteGroupBuilder admin)
    {
        admin.MapGet("/dead-letters", ListAsync);
        admin.MapPost("/dead-letters/replay", ReplayAsync);
        return admin;
    }

    public static async Task<Results<Ok<DeadLetterPage>, ProblemHttpResult>> ListAsync(
        string? after, string? limit, DeadLetterStore deadLetters, CancellationToken cancellationToken)
    {
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return Problems.Invalid("invalid-limit", $"limit must be a number from 1 to {MaxLimit}.");
        }

        DeadLetterCursor? cursor = null;
        if (after is not null && !DeadLetterCursor.TryDecode(after, out cursor))
        {
            return Problems.Invalid("invalid-cursor", "after is not a cursor of this listing.");
        }

        var listing = await deadLetters.ListAsync(cursor, size, cancellationToken);
        return TypedResults.Ok(new DeadLetterPage(listing.Count, [.. listing.Entries.Select(DeadLetterView.Of)], listing.Next?.Encode()));
    }

    public static async Task<Results<Ok<ReplayAnswer>, ProblemHttpResult>> ReplayAsync(
        HttpRequest request, DeadLetterReplay replay, DeadLetterStore deadLetters, CancellationToken cancellationToken)
    {
        ReplayRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ReplayRequest>(request.Body, EventSerializer.Options, cancellationToken);
        }
        catch (JsonException)
        {
            body = null;
        }

        // Either ids or all, never both: an `all` sent by mistake beside ids would replay everything.
        var hasIds = body?.Ids is { Count: > 0 };
        if (body is null || body.All == hasIds || body.Ids?.Count > MaxReplayIds || body.Ids?.Any(string.IsNullOrEmpty) == true)
        {
            return Problems.Invalid("invalid-replay-request", $"Send {{\"ids\": [...]}} with 1 to {MaxReplayIds} dead-letter ids, or {{\"all\": true}}.");
        }

        var results = body.All
            ? await replay.ReplayAllAsync(cancellationToken)
            : await replay.ReplayAsync(body.Ids!, cancellationToken);
        return TypedResults.Ok(new ReplayAnswer(
            [.. results.Select(r => new ReplayResultView(r.Id, r.Outcome, r.Reason))], await deadLetters.CountAsync(cancellationToken)));
    }
}
