using DaprEmulator.Api;
using DaprEmulator.Hosting;
using DaprEmulator.State;
using Google.Protobuf;
using Grpc.Core;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprEmulator.GrpcApi;

// The emulated methods of dapr.proto.runtime.v1.Dapr for one sidecar (dapr pkg/api/grpc/grpc.go).
internal sealed class DaprGrpcService(SidecarContext context, ISidecarMetadataSource metadata)
{
    private readonly StateApi _state = new(context);
    private readonly PublishApi _publish = new(context);

    public async Task<TResponse> Invoke<TRequest, TResponse>(
        string method, TRequest request, ServerCallContext call,
        Func<DaprGrpcService, TRequest, ServerCallContext, Task<TResponse>> handler)
    {
        try
        {
            return await handler(this, request, call);
        }
        catch (DaprApiException e)
        {
            throw GrpcErrors.ToRpcException(e);
        }
    }

    public async Task<Autogen.GetStateResponse> GetState(Autogen.GetStateRequest request, ServerCallContext call)
    {
        var entry = await _state.GetAsync(request.StoreName, request.Key, http: false);
        var response = new Autogen.GetStateResponse();
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Value);
            response.Etag = entry.ETag;
            if (entry.Metadata is { } md)
            {
                foreach (var (k, v) in md)
                {
                    response.Metadata[k] = v;
                }
            }
        }

        return response;
    }

    public async Task<Autogen.GetBulkStateResponse> GetBulkState(Autogen.GetBulkStateRequest request, ServerCallContext call)
    {
        var response = new Autogen.GetBulkStateResponse();
        foreach (var item in await _state.BulkGetAsync(request.StoreName, [.. request.Keys], http: false))
        {
            var bulkItem = new Autogen.BulkStateItem { Key = item.Key, Error = item.Error ?? "" };
            if (item.Entry is { } entry)
            {
                bulkItem.Data = ByteString.CopyFrom(entry.Value);
                bulkItem.Etag = entry.ETag;
                if (entry.Metadata is { } md)
                {
                    foreach (var (k, v) in md)
                    {
                        bulkItem.Metadata[k] = v;
                    }
                }
            }

            response.Items.Add(bulkItem);
        }

        return response;
    }

    public async Task<Google.Protobuf.WellKnownTypes.Empty> SaveState(Autogen.SaveStateRequest request, ServerCallContext call)
    {
        var items = request.States.Select(s =>
        {
            var isJson = s.Metadata.TryGetValue("contentType", out var ct) && ct == "application/json";
            if (isJson && !IsJson(s.Value))
            {
                // daprd returns the json.Unmarshal error as is, which gRPC reports as Unknown.
                throw new RpcException(new Status(StatusCode.Unknown, "invalid character looking for beginning of value"));
            }

            return new SetOperation(s.Key, s.Value.ToByteArray(), isJson) with
            {
                ETag = s.Etag?.Value,
                Metadata = new Dictionary<string, string>(s.Metadata),
                Concurrency = Concurrency(s.Options),
                Consistency = Consistency(s.Options),
            };
        }).ToList();
        await _state.SaveAsync(request.StoreName, items, http: false);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    public async Task<Google.Protobuf.WellKnownTypes.Empty> DeleteState(Autogen.DeleteStateRequest request, ServerCallContext call)
    {
        await _state.DeleteAsync(request.StoreName, new DeleteOperation(request.Key)
        {
            ETag = request.Etag?.Value,
            Metadata = new Dictionary<string, string>(request.Metadata),
            Concurrency = Concurrency(request.Options),
            Consistency = Consistency(request.Options),
        }, http: false);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    public async Task<Google.Protobuf.WellKnownTypes.Empty> DeleteBulkState(Autogen.DeleteBulkStateRequest request, ServerCallContext call)
    {
        await _state.DeleteBulkAsync(request.StoreName, [.. request.States.Select(s => new DeleteOperation(s.Key)
        {
            ETag = s.Etag?.Value,
            Metadata = new Dictionary<string, string>(s.Metadata),
            Concurrency = Concurrency(s.Options),
            Consistency = Consistency(s.Options),
        })]);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    public async Task<Google.Protobuf.WellKnownTypes.Empty> ExecuteStateTransaction(Autogen.ExecuteStateTransactionRequest request, ServerCallContext call)
    {
        var operations = new List<StateOperation>();
        foreach (var op in request.Operations)
        {
            var item = op.Request ?? new Autogen.StateItem();
            StateOperation operation = op.OperationType switch
            {
                "upsert" => new SetOperation(item.Key, item.Value.ToByteArray()),
                "delete" => new DeleteOperation(item.Key),
                _ => throw DaprErrors.Basic(StatusCode.Unimplemented, 500, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {op.OperationType} not supported"),
            };
            operations.Add(operation with
            {
                ETag = item.Etag?.Value,
                Metadata = new Dictionary<string, string>(item.Metadata),
                Concurrency = Concurrency(item.Options),
                Consistency = Consistency(item.Options),
            });
        }

        await _state.TransactAsync(request.StoreName, operations, call.RequestHeaders.GetValue("traceparent"), GrpcTraceState, http: false);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    // daprd reads no tracestate from gRPC metadata (see TraceContext.FromCaller).
    private const string? GrpcTraceState = null;

    public async Task<Google.Protobuf.WellKnownTypes.Empty> PublishEvent(Autogen.PublishEventRequest request, ServerCallContext call)
    {
        await _publish.PublishAsync(
            request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType,
            new Dictionary<string, string>(request.Metadata),
            call.RequestHeaders.GetValue("traceparent"), GrpcTraceState);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    public async Task<Autogen.BulkPublishResponse> BulkPublishEvent(Autogen.BulkPublishRequest request, ServerCallContext call)
    {
        var entries = request.Entries.Select(e => new BulkPublishEntry(
            e.EntryId, e.Event.ToByteArray(), e.ContentType, new Dictionary<string, string>(e.Metadata))).ToList();
        var failed = await _publish.BulkPublishAsync(
            request.PubsubName, request.Topic, entries, new Dictionary<string, string>(request.Metadata),
            call.RequestHeaders.GetValue("traceparent"), GrpcTraceState);
        var response = new Autogen.BulkPublishResponse();
        response.FailedEntries.Add(failed.Select(f => new Autogen.BulkPublishResponseFailedEntry { EntryId = f.EntryId, Error = f.Error }));
        return response;
    }

    public Task<Autogen.GetMetadataResponse> GetMetadata(Autogen.GetMetadataRequest request, ServerCallContext call) =>
        Task.FromResult(MetadataMessages.ToGrpc(metadata.Snapshot()));

    // stateConcurrencyToString / stateConsistencyToString.
    private static string Concurrency(Autogen.StateOptions? options) => options?.Concurrency switch
    {
        Autogen.StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => "first-write",
        Autogen.StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => "last-write",
        _ => "",
    };

    private static string Consistency(Autogen.StateOptions? options) => options?.Consistency switch
    {
        Autogen.StateOptions.Types.StateConsistency.ConsistencyEventual => "eventual",
        Autogen.StateOptions.Types.StateConsistency.ConsistencyStrong => "strong",
        _ => "",
    };

    private static bool IsJson(ByteString value)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(value.Memory);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
