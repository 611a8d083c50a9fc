using Google.Protobuf;
using Kvasir.Grpc;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>A unary call, the same request to each server.</summary>
public sealed class Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request) : DiffOp
    where TRequest : IMessage
    where TResponse : IMessage
{
    public override string Describe() => $"{method.Name} {request}";

    public override Task<string> RunAsync(DiffTarget target) => target.CallAsync(method, request);
}
