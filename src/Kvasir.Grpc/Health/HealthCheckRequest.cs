namespace Kvasir.Grpc.Health;

/// <summary><c>grpc.health.v1.HealthCheckRequest</c>: field 1, <c>string service</c> ("" = the whole server).</summary>
public sealed record HealthCheckRequest(string Service);
