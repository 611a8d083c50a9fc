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
        router.AddUnary(EtcdMethods.Status, StatusAsync);
        router.AddUnary(EtcdMethods.Alarm, AlarmAsync);
        router.AddUnary(EtcdMethods.Defragment, DefragmentAsync);
        router.AddUnary(EtcdMethods.Hash, HashAsync);
        router.AddUnary(EtcdMethods.HashKV, HashKVAsync);
        router.AddServerStreaming(EtcdMethods.Snapshot, SnapshotAsync);
        router.AddUnary(EtcdMethods.MoveLeader, MoveLeaderAsync);
    }

    public ValueTask<StatusResponse> StatusAsync(StatusRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
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

        return new ValueTask<StatusResponse>(Headers.Fill(response, response.Header = new ResponseHeader(), member));
    }

    public async ValueTask<AlarmResponse> AlarmAsync(AlarmRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        var result = await member.ProposeAsync(new InternalRaftRequest { Alarm = request }, context.CancellationToken).ConfigureAwait(false);
        return result.Error is { } error ? throw error.ToRpcException() : (AlarmResponse)result.Response!;
    }

    public async ValueTask<DefragmentResponse> DefragmentAsync(DefragmentRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        LogDefragStarting(log);
        var (before, after) = await Task.Run(member.Store.Defragment, context.CancellationToken).ConfigureAwait(false);
        member.RefreshDbSize();
        LogDefragFinished(log, before, after);
        return new DefragmentResponse { Header = member.Header(member.Store.CurrentRevision) };
    }

    public ValueTask<HashResponse> HashAsync(HashRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        var response = member.Store.Hash();
        return new ValueTask<HashResponse>(Headers.Fill(response, response.Header ??= new ResponseHeader(), member));
    }

    public ValueTask<HashKVResponse> HashKVAsync(HashKVRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        var result = member.Store.HashKV(request.Revision);
        var response = result.Ok ? result.Response! : throw result.Error!.ToRpcException();
        return new ValueTask<HashKVResponse>(Headers.Fill(response, response.Header ??= new ResponseHeader(), member));
    }

    /// <summary>
    /// etcd's MoveLeader: only the leader may be asked (<c>not leader</c>); the target must be a
    /// voting member (<c>bad leader transferee</c>). In a single-member cluster the only possible
    /// target is the leader itself, which is already done.
    /// </summary>
    public ValueTask<MoveLeaderResponse> MoveLeaderAsync(MoveLeaderRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
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

        return new ValueTask<MoveLeaderResponse>(new MoveLeaderResponse { Header = member.Header(member.Store.CurrentRevision) });
    }

    [LoggerMessage(30, LogLevel.Information, "starting defragment")]
    private static partial void LogDefragStarting(ILogger log);

    [LoggerMessage(31, LogLevel.Information, "finished defragment: {Before} bytes before, {After} after")]
    private static partial void LogDefragFinished(ILogger log, long before, long after);
}
