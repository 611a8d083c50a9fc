namespace Kvasir.Grpc.Server;

/// <summary>Answers one request with a stream of responses; the call ends (OK) when the returned task completes.</summary>
public delegate ValueTask ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, ServerStreamWriter<TResponse> responses, ServerCallContext context);
