namespace Kvasir.Server.Member;

/// <summary>Which request an InternalRaftRequest carries (etcd's message has one field per kind, not a oneof).</summary>
internal enum RequestKind
{
    None,
    Range,
    Put,
    DeleteRange,
    Txn,
    Compaction,
    LeaseGrant,
    LeaseRevoke,
    LeaseCheckpoint,
    Alarm,
    Auth,
    ClusterMeta,
}
