namespace Kvasir.Grpc.Server;

/// <summary>
/// Sees every routed call begin and end, for metrics such as etcd's <c>grpc_server_started_total</c> and
/// <c>grpc_server_handled_total{grpc_code}</c>. Called from the call's own task, possibly from many at once.
/// </summary>
public interface IGrpcServerObserver
{
    void CallStarted(string method, MethodType type);

    void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed);
}
