namespace Kvasir.Grpc.Health;

/// <summary><c>grpc.health.v1.HealthCheckResponse.ServingStatus</c>, with its wire numbers.</summary>
public enum ServingStatus
{
    Unknown = 0,
    Serving = 1,
    NotServing = 2,

    /// <summary>Only in Watch answers: the service asked about is not known (yet).</summary>
    ServiceUnknown = 3,
}
