using GraphQL;
using GraphQL.Types;

namespace OrderDapr.Query.GraphQL;

// Code-first schema over the read model, published as src/OrderDapr.Query/schema.graphql (a test
// keeps the two equal). Resolvers take their services from the request, so the schema is a
// singleton.
public sealed class OrderSchema : Schema
{
    public OrderSchema()
    {
        // An argument is deprecated, not removed, when it is renamed: introspection must show it.
        // Set before anything reads the schema's types, which builds the introspection types.
        Features.DeprecationOfInputValues = true;
        Query = new QueryType();
        Subscription = new SubscriptionType();
        this.WithIntrospectionComplexityImpact(0); // tools may introspect; it costs no store reads
    }
}
