namespace Kvasir.Grpc.Server;

/// <summary>Reads a stream of requests and answers with one response.</summary>
public delegate ValueTask<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(RequestStream<TRequest> requests, ServerCallContext context);
