using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Server;
using Kvasir.Server.Member;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Watch;

/// <summary>
/// etcd's Watch service, <c>etcdserverpb.Watch/Watch</c>: one bidirectional stream carries many
/// watchers. The call's task reads requests (create, cancel, progress) and hands them to the hub's
/// side of the stream; one sender task per stream takes what the hub queued and writes it to the
/// response stream, whose own loop batches the flushes.
/// </summary>
public sealed partial class WatchService : IDisposable
{
    /// <summary>The method as etcd's clients call it.</summary>
    public static readonly Method<WatchRequest, WatchResponse> WatchMethod =
        Method.Create(MethodType.DuplexStreaming, "etcdserverpb.Watch", "Watch", WatchRequest.Parser, WatchResponse.Parser);

    /// <summary>The same method as the server serves it: responses written as frames of shared bytes.</summary>
    private static readonly Method<WatchRequest, WatchFrame> ServedMethod =
        new(MethodType.DuplexStreaming, "etcdserverpb.Watch", "Watch", Marshallers.Protobuf(WatchRequest.Parser), WatchFrame.Marshaller);

    private readonly WatchHub _hub;
    private readonly IMemberState _member;
    private readonly LeaderMonitor _leader;
    private readonly ILogger _log;

    public WatchService(WatchHub hub, IMemberState member, ILoggerFactory? logs = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(member);
        _hub = hub;
        _member = member;
        _log = (logs ?? NullLoggerFactory.Instance).CreateLogger("Kvasir.Server.Watch");
        _leader = new LeaderMonitor(member, hub.Time, hub.Options.ElectionTimeout);
    }

    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddDuplexStreaming(ServedMethod, HandleAsync);
    }

    public void Dispose() => _leader.Dispose();

    private static RpcException NoLeader() => new((StatusCode)EtcdErrors.NoLeader.Code, EtcdErrors.NoLeader.Message);

    private async ValueTask HandleAsync(RequestStream<WatchRequest> requests, ServerStreamWriter<WatchFrame> responses, ServerCallContext context)
    {
        // etcd's stream interceptor: with hasleader=true, no leader means no stream.
        var requireLeader = string.Equals(context.GetMetadata("hasleader"), "true", StringComparison.Ordinal);
        if (requireLeader && _member.LeaderId == 0)
        {
            throw NoLeader();
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        using var guard = requireLeader ? _leader.Track(call) : null;
        var stream = _hub.OpenStream();
        var sender = SendAsync(stream, responses, call.Token);
        var receiver = ReceiveAsync(stream, requests, call.Token);
        try
        {
            if (await Task.WhenAny(receiver, sender).ConfigureAwait(false) == receiver)
            {
                // The client stopped sending (or sent something malformed: that throws here). etcd
                // keeps serving a half-closed stream until the client goes away.
                await receiver.ConfigureAwait(false);
            }

            // The sender ends only when the call does.
            await sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (guard?.LostLeader == true)
        {
            throw NoLeader();
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested && !context.IsDeadlineExceeded && !context.IsServerStopping)
        {
            throw new RpcException((StatusCode)EtcdErrors.WatchCanceled.Code, EtcdErrors.WatchCanceled.Message);
        }
        finally
        {
            stream.Dispose();
            await call.CancelAsync().ConfigureAwait(false);
            await Settle(receiver).ConfigureAwait(false);
            await Settle(sender).ConfigureAwait(false);
        }
    }

    private static async Task ReceiveAsync(WatchStream stream, RequestStream<WatchRequest> requests, CancellationToken cancellationToken)
    {
        while (await requests.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!stream.Handle(requests.Current))
            {
                continue;
            }

            await stream.WaitForControlRoomAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(WatchStream stream, ServerStreamWriter<WatchFrame> responses, CancellationToken cancellationToken)
    {
        var batch = new List<WatchFrame>();
        while (await stream.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stream.Read(batch, coalesce: true);
            try
            {
                foreach (var response in batch)
                {
                    await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (InvalidOperationException e)
            {
                // The response stream ended: the client is gone.
                LogSendFailed(_log, e.Message);
                throw new OperationCanceledException(e.Message, e, cancellationToken);
            }
            finally
            {
                batch.Clear();
            }
        }

        // Closed: the call is ending; end with its token like the rest of the call.
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ended).ConfigureAwait(false))
        {
            await ended.Task.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reported through the call's status, or the call is over.
        }
    }

    [LoggerMessage(10, LogLevel.Debug, "watch stream send failed: {Reason}")]
    private static partial void LogSendFailed(ILogger log, string reason);
}
