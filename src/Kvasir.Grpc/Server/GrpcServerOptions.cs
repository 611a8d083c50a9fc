using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>How the server side of the gRPC layer behaves. Read once, when the router is built.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>The largest request message accepted; a bigger one is refused with RESOURCE_EXHAUSTED
    /// before its payload is buffered. Default: etcd's 1.5 MiB + 512 KiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>How many response messages a stream queues before <c>WriteAsync</c> waits (and <c>TryWrite</c> refuses).</summary>
    public int ResponseStreamCapacity { get; set; } = 128;

    /// <summary>When true, a handler's unexpected exception's type and message go into the UNKNOWN status detail.</summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>Fires when the server stops: streaming calls' tokens fire, and a call that ends because of it
    /// answers UNAVAILABLE (unless its handler throws a status of its own). Pass the host's ApplicationStopping.</summary>
    public CancellationToken StoppingToken { get; set; }

    /// <summary>Told of every routed call's start and end (metrics); null for none. Called on the call's thread: keep it cheap.</summary>
    public IGrpcServerObserver? Observer { get; set; }

    /// <summary>The clock deadlines are measured with; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (MaxReceiveMessageSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must not be negative");
        }

        if (ResponseStreamCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ResponseStreamCapacity), ResponseStreamCapacity, "must be at least 1");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
