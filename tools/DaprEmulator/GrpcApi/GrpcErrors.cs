using DaprEmulator.Api;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprEmulator.GrpcApi;

// A DaprApiException as daprd sends it over gRPC (dapr/kit errors.Error.GRPCStatus): the status
// code and message, and a google.rpc.Status in `grpc-status-details-bin` carrying the ErrorInfo
// (and ResourceInfo) that DaprException.TryGetExtendedErrorInfo reads.
internal static class GrpcErrors
{
    public static RpcException ToRpcException(DaprApiException e)
    {
        var status = new Google.Rpc.Status { Code = (int)e.GrpcCode, Message = e.Message };
        if (e.Reason is not null)
        {
            var info = new Google.Rpc.ErrorInfo { Reason = e.Reason, Domain = "dapr.io" };
            foreach (var (k, v) in e.ReasonMetadata)
            {
                info.Metadata[k] = v;
            }
            status.Details.Add(Any.Pack(info));
        }

        if (e.Resource is { } resource)
        {
            status.Details.Add(Any.Pack(new Google.Rpc.ResourceInfo { ResourceType = resource.Type, ResourceName = resource.Name, Description = e.Message }));
        }

        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
        return new RpcException(new Status(e.GrpcCode, e.Message), trailers);
    }
}
