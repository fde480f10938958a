using System.Collections.Concurrent;
using GraphQL;
using GraphQL.DI;
using GraphQL.Validation;
using GraphQLParser.AST;
using GraphQLParser.Visitors;

namespace OrderDapr.Query.GraphQL;

// Frontends send the same few query texts over and over: parse and validate each text once. A
// document is cached only after it passed validation. A cached document is checked again only
// when its verdict can depend on the variables: when a list size (`first`) comes from a variable,
// the complexity rule runs again with the new values. Bounded, so that a client sending ever new
// texts cannot grow it: past the bound, new texts are simply not cached.
public sealed class DocumentCache(IEnumerable<IValidationRule> variableDependentRules) : IConfigureExecution
{
    public const int MaxDocuments = 1_000;

    private static readonly IValidationRule[] NoRules = [];

    private readonly ConcurrentDictionary<string, (GraphQLDocument Document, IValidationRule[] Rules)> _documents = new(StringComparer.Ordinal);
    private readonly IValidationRule[] _variableDependentRules = [.. variableDependentRules];

    public float SortOrder => 200;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document is not null || options.Query is not { } query)
        {
            return await next(options);
        }

        var cached = _documents.TryGetValue(query, out var entry);
        if (cached)
        {
            options.Document = entry.Document;
            options.ValidationRules = entry.Rules;
        }

        var result = await next(options);
        if (!cached && result is { Executed: true, Document: { } document } && _documents.Count < MaxDocuments)
        {
            var rules = await SizedByVariablesAsync(document) ? _variableDependentRules : NoRules;
            _documents.TryAdd(query, (document, rules));
        }

        return result;
    }

    private static async Task<bool> SizedByVariablesAsync(GraphQLDocument document)
    {
        var finder = new ListSizeFromVariable();
        var context = new ListSizeFromVariable.Context();
        await finder.VisitAsync(document, context);
        return context.Found;
    }

    // Finds an argument `first` whose value is a variable.
    private sealed class ListSizeFromVariable : ASTVisitor<ListSizeFromVariable.Context>
    {
        public sealed class Context : IASTVisitorContext
        {
            public bool Found { get; set; }

            public CancellationToken CancellationToken => CancellationToken.None;
        }

        protected override ValueTask VisitArgumentAsync(GraphQLArgument argument, Context context)
        {
            if (argument.Name.Value.Span.SequenceEqual("first") && argument.Value is GraphQLVariable)
            {
                context.Found = true;
            }

            return base.VisitArgumentAsync(argument, context);
        }
    }
}
