using DaprEmulator.Hosting;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprEmulator.GrpcApi;

internal static class MetadataMessages
{
    public static Autogen.GetMetadataResponse ToGrpc(SidecarMetadataSnapshot snapshot)
    {
        var response = new Autogen.GetMetadataResponse
        {
            Id = snapshot.AppId,
            RuntimeVersion = SidecarMetadataSnapshot.RuntimeVersion,
            AppConnectionProperties = new Autogen.AppConnectionProperties
            {
                Port = snapshot.AppPort ?? 0,
                Protocol = "http",
                ChannelAddress = "127.0.0.1",
            },
            ActorRuntime = new Autogen.ActorRuntime
            {
                RuntimeStatus = Autogen.ActorRuntime.Types.ActorRuntimeStatus.Running,
                HostReady = snapshot.ActorHostReady,
            },
        };
        foreach (var c in snapshot.Components)
        {
            var component = new Autogen.RegisteredComponents { Name = c.Name, Type = c.Type, Version = c.Version };
            component.Capabilities.Add(c.Capabilities);
            response.RegisteredComponents.Add(component);
        }

        foreach (var a in snapshot.Actors)
        {
            var count = new Autogen.ActiveActorsCount { Type = a.Type, Count = a.Count };
#pragma warning disable CS0612 // still read by older SDKs: daprd fills both fields
            response.ActiveActorsCount.Add(count);
#pragma warning restore CS0612
            response.ActorRuntime.ActiveActors.Add(count);
        }

        foreach (var s in snapshot.Subscriptions)
        {
            var subscription = new Autogen.PubsubSubscription
            {
                PubsubName = s.PubSubName,
                Topic = s.Topic,
                DeadLetterTopic = s.DeadLetterTopic ?? "",
                Rules = new Autogen.PubsubSubscriptionRules(),
                Type = Autogen.PubsubSubscriptionType.Programmatic,
            };
            foreach (var (k, v) in s.Metadata)
            {
                subscription.Metadata[k] = v;
            }
            subscription.Rules.Rules.Add(s.Rules.Select(r => new Autogen.PubsubSubscriptionRule { Match = r.Match?.Text ?? "", Path = r.Path }));
            response.Subscriptions.Add(subscription);
        }

        return response;
    }
}
