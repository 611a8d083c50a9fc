namespace Kvasir.Grpc.Client;

/// <summary>Per-call settings: metadata (e.g. etcd's <c>token</c>), a deadline, cancellation, and whether the call may be retried elsewhere.</summary>
public readonly record struct CallOptions
{
    /// <summary>Request metadata, sent as headers.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>When the call must be over (UTC); sent as <c>grpc-timeout</c>. Past it the call fails with DEADLINE_EXCEEDED.</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the call; the call then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// True when the call may run twice without harm (reads): a unary call that ends UNAVAILABLE is then
    /// retried on the next endpoint. Every call is retried on the next endpoint when it could not
    /// connect, since nothing was sent.
    /// </summary>
    public bool Idempotent { get; init; }
}
