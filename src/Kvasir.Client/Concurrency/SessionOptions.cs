namespace Kvasir.Client.Concurrency;

/// <summary>How a <see cref="Session"/> gets its lease.</summary>
public sealed record SessionOptions
{
    /// <summary>etcd's default session TTL, in seconds.</summary>
    public const long DefaultTtl = 60;

    /// <summary>The lease TTL in seconds: how long the session's keys outlive a crashed owner.</summary>
    public long Ttl { get; init; } = DefaultTtl;

    /// <summary>An existing lease to keep alive instead of granting a new one (0 = grant).</summary>
    public long LeaseId { get; init; }
}
