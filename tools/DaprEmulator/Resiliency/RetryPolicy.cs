namespace DaprEmulator.Resiliency;

public enum BackoffKind
{
    Constant,
    Exponential,
}

// A `spec.policies.retries` entry, with dapr/kit retry.DefaultConfig() defaults: constant 5s,
// maxRetries -1 (forever); exponential as cenkalti/backoff (initialInterval 500ms, multiplier 1.5,
// randomizationFactor 0.5, maxInterval 60s, maxElapsedTime 15m: an exponential policy stops after
// 15 minutes even with maxRetries -1).
public sealed record RetryPolicy
{
    public string Name { get; init; } = "";

    public BackoffKind Policy { get; init; } = BackoffKind.Constant;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public double RandomizationFactor { get; init; } = 0.5;

    public double Multiplier { get; init; } = 1.5;

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan MaxElapsedTime { get; init; } = TimeSpan.FromMinutes(15);

    public long MaxRetries { get; init; } = -1;

    public Backoff NewBackoff(TimeProvider time) => new(this, time);

    public sealed class Backoff(RetryPolicy policy, TimeProvider time)
    {
        private readonly long _start = time.GetTimestamp();
        private double _currentTicks = policy.InitialInterval.Ticks;
        private long _retries;

        // The delay before the next attempt, or null when the policy gives up.
        public TimeSpan? Next()
        {
            if (policy.MaxRetries >= 0 && _retries >= policy.MaxRetries)
            {
                return null;
            }

            _retries++;
            if (policy.Policy == BackoffKind.Constant)
            {
                return policy.Duration;
            }

            var delta = policy.RandomizationFactor * _currentTicks;
            var next = TimeSpan.FromTicks((long)(_currentTicks - delta + (Random.Shared.NextDouble() * ((2 * delta) + 1))));
            _currentTicks = Math.Min(_currentTicks * policy.Multiplier, policy.MaxInterval.Ticks);

            // cenkalti/backoff ExponentialBackOff.NextBackOff: stop when elapsed + next would pass MaxElapsedTime.
            if (policy.MaxElapsedTime > TimeSpan.Zero && time.GetElapsedTime(_start) + next > policy.MaxElapsedTime)
            {
                return null;
            }

            return next;
        }
    }
}
