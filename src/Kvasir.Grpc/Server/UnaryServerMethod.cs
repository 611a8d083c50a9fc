namespace Kvasir.Grpc.Server;

/// <summary>Answers one request with one response, or throws <see cref="RpcException"/> to answer with a status.</summary>
public delegate ValueTask<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);
