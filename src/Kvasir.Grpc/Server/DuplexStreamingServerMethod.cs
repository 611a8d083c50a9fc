namespace Kvasir.Grpc.Server;

/// <summary>Reads requests and writes responses independently; the call ends (OK) when the returned task completes.</summary>
public delegate ValueTask DuplexStreamingServerMethod<TRequest, TResponse>(RequestStream<TRequest> requests, ServerStreamWriter<TResponse> responses, ServerCallContext context);
