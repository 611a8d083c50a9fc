namespace Kvasir.Grpc.Server;

/// <summary>
/// Sees every routed call begin and end, for metrics such as etcd's <c>grpc_server_started_total</c> and
/// <c>grpc_server_handled_total{grpc_code}</c>. Called from the call's own task, possibly from many at once.
/// </summary>
public interface IGrpcServerObserver
{
    void CallStarted(string method, MethodType type);

    void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed);

    /// <summary>A request message read on a streaming call (client-, server- or bidi-streaming), for
    /// <c>grpc_server_msg_received_total</c>; unary calls are left to <see cref="CallStarted"/>.</summary>
    void StreamMessagesReceived(string method, int count)
    {
    }

    /// <summary><paramref name="count"/> response messages written on a streaming call, reported once per
    /// flush, for <c>grpc_server_msg_sent_total</c>; unary calls are left to <see cref="CallCompleted"/>.</summary>
    void StreamMessagesSent(string method, int count)
    {
    }
}
