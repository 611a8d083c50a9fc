namespace Kvasir.Grpc.Health;

/// <summary><c>grpc.health.v1.HealthCheckResponse</c>: field 1, <c>ServingStatus status</c>.</summary>
public sealed record HealthCheckResponse(ServingStatus Status);
