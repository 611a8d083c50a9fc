using Microsoft.AspNetCore.Builder;

namespace Kvasir.Grpc.Server;

/// <summary>Puts a <see cref="GrpcRouter"/> in an ASP.NET Core pipeline.</summary>
public static class GrpcApplicationBuilderExtensions
{
    /// <summary>gRPC requests are answered by <paramref name="router"/>; all others go on down the pipeline
    /// (the server's /health, /version, /metrics and JSON gateway). Put it first.</summary>
    public static IApplicationBuilder UseGrpc(this IApplicationBuilder app, GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(router);
        return app.Use(next => context => router.HandleAsync(context, next));
    }
}
