using StackExchange.Redis;

namespace DaprEmulator.Tests.Support;

// The real Redis the Redis-backed tests use: env ORDERDAPR_REDIS (host:port), localhost:6379 by
// default. Unreachable is a failure, not a skip: CI starts it.
public static class RedisServer
{
    public static string Address => Environment.GetEnvironmentVariable("ORDERDAPR_REDIS") is { Length: > 0 } address ? address : "localhost:6379";

    public static async Task<ConnectionMultiplexer> ConnectAsync()
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(Address);
        }
        catch (RedisConnectionException e)
        {
            Assert.Fail($"Redis is not reachable at {Address} (env ORDERDAPR_REDIS): start Redis: bash .ci/run does. {e.Message}");
            throw;
        }
    }
}
