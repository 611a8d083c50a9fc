using Microsoft.AspNetCore.Connections;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// The HTTP/1.1 connection pipeline Kestrel builds for a detached endpoint, captured when that
/// endpoint is bound (before or just after the public port, during start-up).
/// </summary>
internal sealed class Http1Pipeline
{
    private readonly TaskCompletionSource<ConnectionDelegate> _pipeline = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set(ConnectionDelegate pipeline) => _pipeline.TrySetResult(pipeline);

    public ValueTask<ConnectionDelegate> GetAsync(CancellationToken cancellationToken) =>
        _pipeline.Task.IsCompletedSuccessfully ? new ValueTask<ConnectionDelegate>(_pipeline.Task.Result) : new ValueTask<ConnectionDelegate>(_pipeline.Task.WaitAsync(cancellationToken));
}
