using GraphQL;
using GraphQL.Introspection;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace OrderDapr.Query.GraphQL;

// Code-first schema over the read model, published as src/OrderDapr.Query/schema.graphql (a test
// keeps the two equal). Resolvers take their services from the request, so the schema is a
// singleton.
public sealed class OrderSchema : Schema
{
    private const string IncludeDeprecated = "includeDeprecated";

    public OrderSchema()
    {
        // An argument is deprecated, not removed, when it is renamed: introspection must show it.
        // Set before anything reads the schema's types, which builds the introspection types.
        Features.DeprecationOfInputValues = true;
        Query = new QueryType();
        Subscription = new SubscriptionType();
        this.WithIntrospectionComplexityImpact(0); // tools may introspect; it costs no store reads
    }

    // With input value deprecation on, graphql-js's introspection query (GraphiQL's with
    // `inputValueDeprecation`, graphql-codegen's, Apollo's) asks `__Directive.args(includeDeprecated:
    // true)` as the spec draft defines it; GraphQL.NET 8 gives the argument to `__Field.args` and
    // `__Type.inputFields` only, and refuses the whole query ("Unknown argument"). Added here to the
    // introspection type, built for this schema alone, before the schema resolves its fields.
    protected override void OnBeforeInitializeType(IGraphType graphType)
    {
        if (graphType is __Directive directive && directive.GetField("args") is { } args && args.Arguments?.Find(IncludeDeprecated) is null)
        {
            args.Arguments ??= new QueryArguments();
            args.Arguments.Add(new QueryArgument<BooleanGraphType> { Name = IncludeDeprecated, DefaultValue = false });
            args.Resolver = new FuncFieldResolver<Directive, IEnumerable<QueryArgument>>(context =>
                context.GetArgument<bool>(IncludeDeprecated)
                    ? context.Source.Arguments ?? Enumerable.Empty<QueryArgument>()
                    : context.Source.Arguments?.Where(a => string.IsNullOrWhiteSpace(a.DeprecationReason)) ?? []);
        }

        base.OnBeforeInitializeType(graphType);
    }
}
