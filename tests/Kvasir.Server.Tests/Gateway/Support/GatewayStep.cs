namespace Kvasir.Server.Tests.Gateway.Support;

/// <summary>One request of a differential sequence and the extra fields masked in its answers.</summary>
public sealed record GatewayStep(string Path, string? Body, HttpMethod Method, IReadOnlyDictionary<string, string>? Headers, string[] Mask);
