using System.Collections.Concurrent;
using GraphQL;
using GraphQL.DI;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace OrderDapr.Query.GraphQL;

// Frontends send the same few query texts over and over: parse and validate each text once. A
// document is cached only after it passed validation; a cached one is checked again only by the
// rules whose verdict can depend on the variables (complexity). Bounded, so that a client sending
// ever new texts cannot grow it: past the bound, new texts are simply not cached.
public sealed class DocumentCache(IEnumerable<IValidationRule> cachedDocumentRules) : IConfigureExecution
{
    public const int MaxDocuments = 1_000;

    private readonly ConcurrentDictionary<string, GraphQLDocument> _documents = new(StringComparer.Ordinal);
    private readonly IValidationRule[] _cachedDocumentRules = [.. cachedDocumentRules];

    public float SortOrder => 200;

    public int Count => _documents.Count;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document is not null || options.Query is not { } query)
        {
            return await next(options);
        }

        var cached = _documents.GetValueOrDefault(query);
        if (cached is not null)
        {
            options.Document = cached;
            options.ValidationRules = _cachedDocumentRules;
        }

        var result = await next(options);
        if (cached is null && result is { Executed: true, Document: { } document } && _documents.Count < MaxDocuments)
        {
            _documents.TryAdd(query, document);
        }

        return result;
    }
}
