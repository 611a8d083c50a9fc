using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

public sealed partial class MemberServer
{
    private void LogOpened(MemberStorage storage)
    {
        foreach (var skipped in storage.SkippedSnapshots)
        {
            LogSnapshotSkipped(skipped.File, skipped.Reason);
        }

        if (storage.Wal.Recovered.TornTail is { } torn)
        {
            LogTornTail(torn.ToString());
        }

        if (storage.IsNew)
        {
            LogBootstrapped(Name, MemberIds.Hex(MemberId), MemberIds.Hex(ClusterId), _config.DataDir);
        }
        else
        {
            LogRestarted(Name, MemberIds.Hex(MemberId), MemberIds.Hex(ClusterId), storage.Snapshot.Index, storage.Store.ConsistentIndex, storage.Wal.Recovered.Entries.Count, storage.Wal.Recovered.HardState.Commit);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "starting a new single-member cluster: member {Name} ({MemberId}) of cluster {ClusterId}, data in {DataDir}")]
    private partial void LogBootstrapped(string name, string memberId, string clusterId, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "restarting member {Name} ({MemberId}) of cluster {ClusterId}: snapshot at index {SnapshotIndex}, backend consistent index {ConsistentIndex}, {Entries} WAL entries after the snapshot, commit {Commit}")]
    private partial void LogRestarted(string name, string memberId, string clusterId, ulong snapshotIndex, long consistentIndex, int entries, ulong commit);

    [LoggerMessage(3, LogLevel.Warning, "passed over snapshot file {File}: {Reason}")]
    private partial void LogSnapshotSkipped(string file, string reason);

    [LoggerMessage(4, LogLevel.Warning, "{Repair}")]
    private partial void LogTornTail(string repair);

    [LoggerMessage(5, LogLevel.Information, "raft: {MemberId} sees leader {Leader} at term {Term}")]
    private partial void LogLeader(string memberId, string leader, ulong term);

    [LoggerMessage(6, LogLevel.Warning, "raft: {MemberId} lost leader {Leader} at term {Term}")]
    private partial void LogLostLeader(string memberId, string leader, ulong term);

    [LoggerMessage(7, LogLevel.Information, "saved snapshot at index {Index} term {Term}; released {ReleasedWals} WAL segments, purged {PurgedSnapshots} snapshot files ({Milliseconds:0.0} ms)")]
    private partial void LogSnapshot(ulong index, ulong term, int releasedWals, int purgedSnapshots, double milliseconds);

    [LoggerMessage(8, LogLevel.Critical, "fatal: {Reason}; the member stops")]
    private partial void LogFatal(string reason, Exception error);

    [LoggerMessage(9, LogLevel.Information, "member {MemberId} stopped at applied index {Applied}")]
    private partial void LogStopped(string memberId, ulong applied);
}
