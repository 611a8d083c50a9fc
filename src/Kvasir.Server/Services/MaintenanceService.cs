using System.Diagnostics;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Server;
using Kvasir.Server.Hosting;
using Kvasir.Server.Member;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Services;

/// <summary>
/// etcd's Maintenance service for this member: Status (every 3.4 field), Alarm (through Raft, as
/// etcd), Defragment, Hash, HashKV, Snapshot (a backend image streamed in 32 KiB chunks with its
/// SHA-256 appended) and MoveLeader. Downgrade is a 3.5 RPC and is not served.
/// </summary>
public sealed partial class MaintenanceService(MemberServer member, ILogger log)
{
    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(EtcdMethods.Status, (r, c) => Guard(c, () => Status(r)));
        router.AddUnary(EtcdMethods.Alarm, (r, c) => GuardAsync(c, () => AlarmAsync(r, c.CancellationToken)));
        router.AddUnary(EtcdMethods.Defragment, (r, c) => GuardAsync(c, () => DefragmentAsync(r, c.CancellationToken)));
        router.AddUnary(EtcdMethods.Hash, (r, c) => Guard(c, () => Hash(r)));
        router.AddUnary(EtcdMethods.HashKV, (r, c) => Guard(c, () => HashKV(r)));
        router.AddServerStreaming<SnapshotRequest, SnapshotResponse>(EtcdMethods.Snapshot, (r, w, c) =>
        {
            RequestGuard.Check(c, member);
            return new ValueTask(SnapshotAsync(r, w.WriteAsync, c.CancellationToken));
        });
        router.AddUnary(EtcdMethods.MoveLeader, (r, c) => Guard(c, () => MoveLeader(r)));
    }

    // The gRPC handlers: the interceptor's checks (before anything runs), then the method.
    private ValueTask<T> Guard<T>(ServerCallContext context, Func<T> call)
    {
        RequestGuard.Check(context, member);
        return new ValueTask<T>(call());
    }

    private ValueTask<T> GuardAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        RequestGuard.Check(context, member);
        return new ValueTask<T>(call());
    }

    public StatusResponse Status(StatusRequest request)
    {
        var response = new StatusResponse
        {
            Version = VersionInfo.EtcdServer,
            DbSize = member.DbSize,
            DbSizeInUse = member.DbSizeInUse,
            Leader = member.LeaderId,
            RaftIndex = member.CommittedIndex,
            RaftTerm = member.Term,
            RaftAppliedIndex = member.AppliedIndex,
            IsLearner = false,
        };
        if (response.Leader == 0)
        {
            response.Errors.Add(EtcdErrors.NoLeader.Message);
        }

        foreach (var alarm in member.Alarms.Get())
        {
            // Go's text form of the AlarmMember message, as etcd lists it.
            response.Errors.Add($"memberID:{alarm.MemberID} alarm:{alarm.Alarm.ToString().ToUpperInvariant()} ");
        }

        return Headers.Fill(response, response.Header = new ResponseHeader(), member);
    }

    public async Task<AlarmResponse> AlarmAsync(AlarmRequest request, CancellationToken cancellationToken)
    {
        var result = await member.ProposeAsync(new InternalRaftRequest { Alarm = request }, cancellationToken).ConfigureAwait(false);
        return result.Error is { } error ? throw error.ToRpcException() : (AlarmResponse)result.Response!;
    }

    public async Task<DefragmentResponse> DefragmentAsync(DefragmentRequest request, CancellationToken cancellationToken)
    {
        LogDefragStarting(log);
        var started = Stopwatch.GetTimestamp();
        member.Metrics.Maintenance.DefragStarted();
        (long, long) sizes;
        try
        {
            sizes = await Task.Run(member.Store.Defragment, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            member.Metrics.Maintenance.DefragEnded(Stopwatch.GetElapsedTime(started));
        }

        var (before, after) = sizes;
        member.RefreshDbSize();
        LogDefragFinished(log, before, after);
        return new DefragmentResponse { Header = member.Header(member.Store.CurrentRevision) };
    }

    public HashResponse Hash(HashRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        var response = member.Store.Hash();
        member.Metrics.Maintenance.Hashed(Stopwatch.GetElapsedTime(started));
        return Headers.Fill(response, response.Header ??= new ResponseHeader(), member);
    }

    public HashKVResponse HashKV(HashKVRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        var result = member.Store.HashKV(request.Revision);
        member.Metrics.Maintenance.HashedRevision(Stopwatch.GetElapsedTime(started));
        var response = result.Ok ? result.Response! : throw result.Error!.ToRpcException();
        return Headers.Fill(response, response.Header ??= new ResponseHeader(), member);
    }

    /// <summary>
    /// etcd's MoveLeader: only the leader may be asked (<c>not leader</c>); the target must be a
    /// voting member (<c>bad leader transferee</c>). In a single-member cluster the only possible
    /// target is the leader itself, which is already done.
    /// </summary>
    public MoveLeaderResponse MoveLeader(MoveLeaderRequest request)
    {
        if (!member.IsLeader)
        {
            throw EtcdErrors.NotLeader.ToRpcException();
        }

        var target = member.Members.Get(request.TargetID);
        if (target is null || target.IsLearner)
        {
            throw EtcdErrors.BadLeaderTransferee.ToRpcException();
        }

        if (request.TargetID != member.MemberId)
        {
            throw new Grpc.RpcException(Grpc.StatusCode.Unimplemented, "kvasir: leader transfer to another member is not supported yet (single-member clusters)");
        }

        return new MoveLeaderResponse { Header = member.Header(member.Store.CurrentRevision) };
    }

    [LoggerMessage(30, LogLevel.Information, "starting defragment")]
    private static partial void LogDefragStarting(ILogger log);

    [LoggerMessage(31, LogLevel.Information, "finished defragment: {Before} bytes before, {After} after")]
    private static partial void LogDefragFinished(ILogger log, long before, long after);
}
