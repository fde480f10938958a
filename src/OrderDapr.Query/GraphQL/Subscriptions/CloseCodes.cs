namespace OrderDapr.Query.GraphQL.Subscriptions;

// The close events of graphql-transport-ws (enisdenjo/graphql-ws PROTOCOL.md, CloseCode), and the
// WebSocket ones this server uses.
public static class CloseCodes
{
    public const int NormalClosure = 1000;

    // A message larger than GraphQLWsConnection.MaxMessageBytes.
    public const int MessageTooBig = 1009;

    // A subscriber fell more than MaxQueuedMessages behind. Not a 44xx code: graphql-ws clients
    // treat those as fatal, while on 1013 they reconnect (and should read again what they missed).
    public const int TryAgainLater = 1013;

    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
    public const int InternalServerError = 4500;
}
