using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprEmulator.GrpcApi;

// Binds the emulated methods of service dapr.proto.runtime.v1.Dapr. Dapr.Protos ships the messages
// and a client, but no server base for this service, so each method is declared here with the
// message parsers of the package (no .proto is copied). Methods not bound here get Grpc.AspNetCore's
// UNIMPLEMENTED answer.
internal sealed class DaprGrpcMethods : IServiceMethodProvider<DaprGrpcService>
{
    private const string Service = "dapr.proto.runtime.v1.Dapr";

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        Add(context, "GetState", Autogen.GetStateRequest.Parser, (s, r, c) => s.GetState(r, c));
        Add(context, "GetBulkState", Autogen.GetBulkStateRequest.Parser, (s, r, c) => s.GetBulkState(r, c));
        Add(context, "SaveState", Autogen.SaveStateRequest.Parser, (s, r, c) => s.SaveState(r, c));
        Add(context, "DeleteState", Autogen.DeleteStateRequest.Parser, (s, r, c) => s.DeleteState(r, c));
        Add(context, "DeleteBulkState", Autogen.DeleteBulkStateRequest.Parser, (s, r, c) => s.DeleteBulkState(r, c));
        Add(context, "ExecuteStateTransaction", Autogen.ExecuteStateTransactionRequest.Parser, (s, r, c) => s.ExecuteStateTransaction(r, c));
        Add(context, "PublishEvent", Autogen.PublishEventRequest.Parser, (s, r, c) => s.PublishEvent(r, c));
        Add(context, "BulkPublishEvent", Autogen.BulkPublishRequest.Parser, (s, r, c) => s.BulkPublishEvent(r, c));
        Add(context, "BulkPublishEventAlpha1", Autogen.BulkPublishRequest.Parser, (s, r, c) => s.BulkPublishEvent(r, c));
        Add(context, "GetMetadata", Autogen.GetMetadataRequest.Parser, (s, r, c) => s.GetMetadata(r, c));
    }

    private static void Add<TRequest, TResponse>(
        ServiceMethodProviderContext<DaprGrpcService> context, string name, MessageParser<TRequest> parser,
        Func<DaprGrpcService, TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        var method = new Method<TRequest, TResponse>(
            MethodType.Unary, Service, name,
            Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), responseParser.ParseFrom));
        context.AddUnaryMethod(method, [], (service, request, call) => service.Invoke(name, request, call, handler));
    }
}
